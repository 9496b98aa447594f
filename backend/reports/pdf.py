"""Render a report document (headings, paragraphs, tables, vector charts) to PDF bytes, A4.

The document is written as HTML from a Jinja template and laid out by WeasyPrint: text and table
cells wrap, table headers repeat on every page, the footer numbers the pages, charts are SVG.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from backend.common.pdf import data_url, html_pdf, template
from backend.reports.fonts import chart_rc

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 50.0, 56.0, 50.0
BODY_W = PAGE_W - 2 * MARGIN_X
CHART_TOP, CHART_PAD = 24.0, 64.0  # room for the title above and legend below
CHART_RIGHT = 40.0  # kept free right of the axes
FILLS = {"red": "#f4c7c3", "yellow": "#fce8b2", "green": "#b7e1cd", "head": "#e8eaed"}
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Heading:
    """A section heading (level 1 or 2)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Running text, wrapped to the page width."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table with a header row; `fills` colours whole rows (red/yellow/green or None)."""

    columns: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None
    fills: Sequence[str | None] | None = None


@dataclass(frozen=True)
class Chart:
    """A chart drawn as vectors by `draw(axes)`; `height` of the axes in points.

    `left` is the share of the body width kept free for long category labels.
    """

    draw: Callable[[Axes], None]
    height: float
    left: float = 0.0
    below: float = 0.0  # extra room under the axes, e.g. for a legend placed there


@dataclass(frozen=True)
class Document:
    """A whole report: title page head plus blocks in order."""

    title: str
    subtitle: str
    blocks: list = field(default_factory=list)
    created: datetime | None = None


def render_pdf(document: Document) -> bytes:
    """Lay the document out on A4 pages and return the PDF bytes."""
    blocks = [_VIEW[type(block)](block) for block in document.blocks]
    html = template(TEMPLATES, "report.html").render(document=document, blocks=blocks, fills=FILLS)
    return html_pdf(html)


def column_widths(table: Table) -> list[float]:
    """Return each column's share of the table width in percent."""
    weights = table.widths or [1.0] * len(table.columns)
    return [round(100 * weight / sum(weights), 3) for weight in weights]


def chart_svg(chart: Chart) -> bytes:
    """Draw the chart with matplotlib and return it as SVG, its text set in the CJK font."""
    height = min(chart.height, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - CHART_PAD)
    total = height + CHART_PAD + chart.below
    with matplotlib.rc_context(chart_rc()):
        figure = Figure(figsize=(BODY_W / 72, total / 72))
        left = BODY_W * chart.left
        rect = (left, CHART_PAD - CHART_TOP + chart.below, BODY_W - left - CHART_RIGHT, height)
        chart.draw(figure.add_axes(_fractions(rect, BODY_W, total)))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.04)
    return buffer.getvalue()


Box = tuple[float, float, float, float]


def _fractions(rect: Box, width: float, height: float) -> Box:
    x, y, w, h = rect
    return (x / width, y / height, w / width, h / height)


def _heading(block: Heading) -> dict:
    return {"kind": "heading", "text": block.text, "level": min(max(block.level, 1), 2)}


def _paragraph(block: Paragraph) -> dict:
    return {"kind": "paragraph", "text": block.text}


def _table(block: Table) -> dict:
    fills = block.fills or []
    rows = [
        ([str(cell) for cell in row], fills[index] if index < len(fills) else None)
        for index, row in enumerate(block.rows)
    ]
    return {"kind": "table", "columns": block.columns, "widths": column_widths(block), "rows": rows}


def _chart(block: Chart) -> dict:
    return {"kind": "chart", "src": data_url(chart_svg(block), "image/svg+xml")}


_VIEW: dict[type, Callable[[Any], dict]] = {
    Heading: _heading,
    Paragraph: _paragraph,
    Table: _table,
    Chart: _chart,
}
