"""Render a report document (headings, paragraphs, tables, vector charts) to PDF bytes, A4."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.patches import Rectangle

from backend.reports.fonts import pdf_rc

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 50.0, 56.0, 50.0
BODY_W = PAGE_W - 2 * MARGIN_X
SIZES = {0: 18.0, 1: 13.5, 2: 11.5}
TEXT_SIZE, TABLE_SIZE = 10.5, 9.0
CHART_TOP, CHART_PAD = 24.0, 64.0  # room for the title above and legend below
FILLS = {"red": "#f4c7c3", "yellow": "#fce8b2", "green": "#b7e1cd", "head": "#e8eaed"}


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
    fills: list[str | None] | None = None


@dataclass(frozen=True)
class Chart:
    """A chart drawn as vectors on the page by `draw(axes)`; `height` in points.

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
    buffer = io.BytesIO()
    with matplotlib.rc_context(pdf_rc()):
        pages = PdfPages(buffer, metadata=_metadata(document))
        pager = _Pager(pages)
        pager.text(document.title, size=SIZES[0], center=True)
        pager.text(document.subtitle, size=TEXT_SIZE, center=True, colour="#555555")
        pager.space(10)
        for block in document.blocks:
            _DRAW[type(block)](pager, block)
        pager.close()
    return buffer.getvalue()


def _metadata(document: Document) -> dict:
    meta = {"Title": document.title, "Subject": document.subtitle, "Creator": "履职助手"}
    if document.created is not None:
        meta["CreationDate"] = document.created
    return meta


def text_width(text: str, size: float) -> float:
    """Estimate the printed width of `text` in points (CJK full width, Latin about half)."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.56 for c in text)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` points, keeping explicit line breaks."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = ""
        for char in raw:
            if line and text_width(line + char, size) > width:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


def fit(text: str, size: float, width: float) -> str:
    """Shorten `text` with an ellipsis so it fits in `width` points."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


class _Pager:
    """A cursor moving down A4 pages, starting a new page when a block does not fit."""

    def __init__(self, pages: PdfPages) -> None:
        self.pages, self.number, self.figure, self.y = pages, 0, None, 0.0
        self.new_page()

    def new_page(self) -> None:
        self.flush()
        self.number += 1
        self.figure = plt.figure(figsize=(PAGE_W / 72, PAGE_H / 72))
        self.y = PAGE_H - MARGIN_TOP
        footer = f"第 {self.number} 页"
        self._put(PAGE_W / 2, MARGIN_BOTTOM / 2, footer, 8, "center", "#888888")

    def flush(self) -> None:
        if self.figure is not None:
            self.pages.savefig(self.figure)
            plt.close(self.figure)
            self.figure = None

    def close(self) -> None:
        self.flush()
        self.pages.close()

    def need(self, height: float) -> None:
        if self.y - height < MARGIN_BOTTOM:
            self.new_page()

    def space(self, height: float) -> None:
        self.y -= height

    def _put(self, x: float, y: float, text: str, size: float, align="left", colour="black"):
        self.figure.text(
            x / PAGE_W, y / PAGE_H, text, fontsize=size, ha=align, va="baseline", color=colour
        )

    def text(self, text: str, *, size: float, center=False, colour="black", indent=0.0) -> None:
        leading = size * 1.55
        for line in wrap(text, size, BODY_W - indent):
            self.need(leading)
            self.y -= leading
            x = PAGE_W / 2 if center else MARGIN_X + indent
            self._put(x, self.y + size * 0.3, line, size, "center" if center else "left", colour)

    def box(self, x: float, y: float, w: float, h: float, fill: str | None) -> None:
        self.figure.add_artist(
            Rectangle(
                (x / PAGE_W, y / PAGE_H),
                w / PAGE_W,
                h / PAGE_H,
                transform=self.figure.transFigure,
                facecolor=fill or "none",
                edgecolor="#9aa0a6",
                linewidth=0.4,
            )
        )


def _draw_heading(pager: _Pager, block: Heading) -> None:
    size = SIZES.get(block.level, SIZES[2])
    pager.need(size * 8)  # never leave a heading alone at the bottom of a page
    pager.space(size * 0.5)
    pager.text(block.text, size=size, colour="#1a3d6d")


def _draw_paragraph(pager: _Pager, block: Paragraph) -> None:
    pager.text(block.text, size=TEXT_SIZE)
    pager.space(3)


def _draw_table(pager: _Pager, block: Table) -> None:
    widths = _column_widths(block)
    height = TABLE_SIZE * 2.0
    pager.space(4)
    _table_row(pager, block.columns, widths, height, FILLS["head"])
    for index, row in enumerate(block.rows):
        if pager.y - height < MARGIN_BOTTOM:
            pager.new_page()
            _table_row(pager, block.columns, widths, height, FILLS["head"])
        fill = block.fills[index] if block.fills else None
        _table_row(pager, row, widths, height, FILLS.get(fill or ""))
    pager.space(8)


def _column_widths(block: Table) -> list[float]:
    weights = block.widths or [1.0] * len(block.columns)
    return [BODY_W * weight / sum(weights) for weight in weights]


def _table_row(pager: _Pager, cells: list[str], widths: list[float], height: float, fill) -> None:
    pager.need(height)
    pager.y -= height
    x = MARGIN_X
    for cell, width in zip(cells, widths, strict=True):
        pager.box(x, pager.y, width, height, fill)
        text = fit(str(cell), TABLE_SIZE, width - 6)
        pager._put(x + 3, pager.y + height * 0.32, text, TABLE_SIZE)
        x += width


def _draw_chart(pager: _Pager, block: Chart) -> None:
    limit = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - CHART_PAD
    height = min(block.height, limit)
    pager.need(height + CHART_PAD + block.below)
    pager.y -= height + CHART_TOP
    left = MARGIN_X + BODY_W * block.left
    width = BODY_W * (1 - block.left) - 40
    rect = [left / PAGE_W, pager.y / PAGE_H, width / PAGE_W, height / PAGE_H]
    block.draw(pager.figure.add_axes(rect))
    pager.space(CHART_PAD - CHART_TOP + block.below)


_DRAW = {Heading: _draw_heading, Paragraph: _draw_paragraph, Table: _draw_table, Chart: _draw_chart}
