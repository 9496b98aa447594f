"""The CJK font in report charts: matplotlib settings for SVG text the PDF's font draws."""

from __future__ import annotations

from backend.common.typeface import FALLBACK_FAMILY, register_cjk_font


def chart_rc() -> dict:
    """Return matplotlib settings for a chart saved as SVG whose text the PDF's font draws."""
    family = register_cjk_font()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, FALLBACK_FAMILY],
        "svg.fonttype": "none",  # text stays text: extractable, drawn with the @font-face font
        "svg.hashsalt": "lvzhi",  # the same chart gives the same bytes
        "axes.unicode_minus": False,
    }
