"""The CJK font in reports: matplotlib settings for charts, @font-face CSS for WeasyPrint."""

from __future__ import annotations

from backend.fonts import FALLBACK_FAMILY, font_path, register_cjk_font


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


def font_face() -> tuple[str, str]:
    """Return the CJK font's family name and its file:// URL for an @font-face rule."""
    return register_cjk_font(), font_path().as_uri()
