"""Report test helpers: the administrators' robot, delivery, PDF text and pages, glyph warnings."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest


def poppler(tool: str) -> str:
    """Return the path of a poppler tool, failing the test when it is not installed."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: run `make system-deps` (poppler-utils)")
    return path


def pdf_text(data: bytes, folder: Path) -> str:
    """Extract a PDF's text with pdftotext, whitespace removed (it splits Latin and CJK runs)."""
    source = folder / "report.pdf"
    source.write_bytes(data)
    result = subprocess.run(
        [poppler("pdftotext"), str(source), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return "".join(result.stdout.split())


def pdf_pages(data: bytes, folder: Path) -> list[Path]:
    """Render every page with pdftoppm; fail on any warning it prints (missing glyphs included)."""
    source = folder / "pages.pdf"
    source.write_bytes(data)
    result = subprocess.run(
        [poppler("pdftoppm"), "-r", "40", "-png", str(source), str(folder / "page")],
        capture_output=True,
        check=True,
        text=True,
    )
    assert result.stderr.strip() == "", result.stderr
    return sorted(folder.glob("page-*.png"))


def no_glyph_warnings(render: Callable[[], object]) -> object:
    """Run `render`, failing on any matplotlib "Glyph … missing" warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = render()
    missing = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert missing == [], missing
    return result


ADMIN_ROBOT = "0a1b2c3d-aaaa-4bbb-8ccc-0123456789ab"


def add_admin_robot(stack) -> None:
    """Give the emulator the administrators' group robot that county reports post to."""
    directory = stack.emulator_call("GET", "/_emulator/directory").json()
    directory["robots"].append({"key": ADMIN_ROBOT, "name": "编办管理员群"})
    stack.emulator_call("PUT", "/_emulator/directory", json=directory)


def admin_settings(stack):
    """Return the stack's settings with the administrators' group pointing at that robot."""
    return stack.settings.model_copy(update={"LVZHI_ADMIN_CHAT": f"webhook:{ADMIN_ROBOT}"})


def deliver_all(stack) -> int:
    """Deliver the outbox until nothing is left to send; return how many were sent."""
    sent = 0
    while (stats := stack.deliver()).sent:
        sent += stats.sent
    return sent


def run_report_jobs(engine, settings) -> int:
    """Run the queued jobs (as the job runner does); return the report messages they queued."""
    import json

    from sqlalchemy import select

    from backend.db import reading
    from backend.models import Job, JobStatus
    from scheduled.work.runner import run_due_jobs

    with reading(engine) as session:
        queued = set(
            session.execute(select(Job.id).where(Job.status == JobStatus.QUEUED)).scalars()
        )
    run_due_jobs(engine, settings=settings)
    with reading(engine) as session:
        rows = session.execute(select(Job.message).where(Job.id.in_(queued or {-1}))).scalars()
        return sum(json.loads(text or "{}").get("posted", 0) for text in rows)
