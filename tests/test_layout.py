"""The house plan: backend/ keeps only its wiring loose, and every module of ours imports."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WIRING = {"__init__.py", "app.py", "db.py", "migrate.py", "runtime.py"}
PACKAGES = ("bot", "backend", "handlers", "scheduled")


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue  # Alembic's scripts run only inside Alembic
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_only_the_wiring_stands_loose_in_backend():
    loose = {path.name for path in (ROOT / "backend").glob("*.py")}
    assert loose == WIRING


def test_every_folder_of_ours_is_a_package():
    for package in PACKAGES:
        for folder in (ROOT / package).rglob("*"):
            has_code = folder.is_dir() and any(folder.glob("*.py"))
            if has_code and "migrations" not in folder.parts:
                assert (folder / "__init__.py").exists(), folder


@pytest.mark.parametrize("name", _modules())
def test_every_module_imports(name):
    importlib.import_module(name)
