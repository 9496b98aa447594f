"""Matplotlib settings for Chinese PDF reports, on top of the shared CJK font registration."""

from __future__ import annotations

from backend.fonts import FALLBACK_FAMILY, register_cjk_font


def pdf_rc() -> dict:
    """Return matplotlib settings for a Chinese PDF (Type 3: text extractable, no boxes)."""
    family = register_cjk_font()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, FALLBACK_FAMILY],
        "pdf.fonttype": 3,
        "axes.unicode_minus": False,
    }
