"""Report test helpers: PDF text and page rendering through poppler, glyph-warning capture."""

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
