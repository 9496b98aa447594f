"""The Chinese font (Noto Sans CJK SC, SIL OFL, shipped inside the pip package `mplfonts`).

Registered with matplotlib at start so charts and PDFs draw Chinese text instead of boxes, and
served to browsers through `font_path()`. Never run `mplfonts init`: it deletes matplotlib's cache.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

matplotlib.use("Agg")  # no display: charts and PDFs are drawn off screen

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FALLBACK_FAMILY = "DejaVu Sans"
_lock = threading.Lock()


class FontMissing(RuntimeError):
    """The CJK font file is not installed (reinstall the `mplfonts` package)."""


@cache
def font_path() -> Path:
    """Return the path of the Noto Sans CJK SC font file."""
    import mplfonts

    path = Path(mplfonts.__file__).resolve().parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise FontMissing(f"{path} not found: reinstall the mplfonts package")
    return path


@cache
def _registered_family() -> str:
    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def register_cjk_font() -> str:
    """Register the font with matplotlib (idempotent), make it the default; return its family."""
    with _lock:
        family = _registered_family()
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["font.sans-serif"] = [family, FALLBACK_FAMILY]
        matplotlib.rcParams["axes.unicode_minus"] = False
        matplotlib.rcParams["pdf.fonttype"] = 3  # Type 42 with a CFF font renders garbled
        return family
