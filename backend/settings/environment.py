"""Settings handed to libraries that are configured only through the process environment.

This is the one module outside pydantic-settings that touches `os.environ`: it writes values
that come from `Settings` for a library, and builds the environment of child processes.
"""

from __future__ import annotations

import os
from pathlib import Path

PROMETHEUS_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def export_metrics_folder(directory: Path) -> None:
    """Point prometheus_client's multiprocess mode (it reads only this variable) at `directory`."""
    os.environ[PROMETHEUS_MULTIPROC_DIR] = str(directory)


def child_environment(**overrides: str) -> dict[str, str]:
    """Return this process's environment with `overrides`, for a child process to start with."""
    return {**os.environ, **overrides}
