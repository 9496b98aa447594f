"""Settings handed to libraries that are configured only through the process environment.

This is the one module outside pydantic-settings that touches `os.environ`, and it only writes:
the values come from `Settings` and are passed on to the library and to child processes.
"""

from __future__ import annotations

import os
from pathlib import Path

PROMETHEUS_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def export_metrics_folder(directory: Path) -> None:
    """Point prometheus_client's multiprocess mode (it reads only this variable) at `directory`."""
    os.environ[PROMETHEUS_MULTIPROC_DIR] = str(directory)
