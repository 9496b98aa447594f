"""Survey charts, pure: (label, count) rows or department scores in, PNG bytes out."""

from __future__ import annotations

import io
import textwrap

from matplotlib.figure import Figure

from backend.common import typeface as fonts

BAR = "#1d4f91"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def distribution_png(title: str, counts: list[tuple[str, int]]) -> bytes:
    """Draw a horizontal bar chart of the answers to one question."""
    fonts.register_cjk_font()
    labels = [label[:16] for label, _ in counts] or ["（无）"]
    values = [count for _, count in counts] or [0]
    figure = Figure(figsize=(6, 0.5 + 0.42 * len(labels)))
    axes = figure.subplots()
    bars = axes.barh(labels[::-1], values[::-1], color=BAR)
    axes.bar_label(bars, padding=3)
    axes.set_title("\n".join(textwrap.wrap(title, 28)), fontsize=11)
    axes.set_xlabel("人数")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max(values) * 1.15 + 1)
    return _png(figure)


def scores_png(rows: list[tuple[str, float]]) -> bytes:
    """Draw the score (out of 100) of each evaluated department."""
    fonts.register_cjk_font()
    labels = [name[:12] for name, _ in rows] or ["（无）"]
    values = [score for _, score in rows] or [0.0]
    figure = Figure(figsize=(6, 0.6 + 0.45 * len(labels)))
    axes = figure.subplots()
    bars = axes.barh(labels[::-1], values[::-1], color=BAR)
    axes.bar_label(bars, labels=[f"{v:.2f}" for v in values[::-1]], padding=3)
    axes.set_xlim(0, 110)
    axes.set_title("各部门得分（满分100）", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
