"""Ratings to Excel: write-only, bold frozen header, filters, widths, formula-safe text."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import tzinfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from backend.excel.writer import safe_cell
from backend.supervision import texts
from backend.supervision.queries import RatingRow

HEADER = ["编号", "评价时间", "单位", "工作人员", "评价等级", "评价理由", "留言", "类型", "工单号"]
WIDTHS = [8, 18, 24, 10, 10, 28, 48, 10, 14]


def _text(sheet, value: str) -> WriteOnlyCell:
    """Return a cell that is always clean text, even when the user's text starts like a formula."""
    return safe_cell(sheet, value)


def ratings_xlsx(rows: Iterable[RatingRow], *, zone: tzinfo) -> bytes:
    """Write the ratings into one sheet and return the workbook bytes."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("评价")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header = []
    for title in HEADER:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(_row(sheet, row, zone))
        count += 1
    sheet.auto_filter.ref = f"A1:{chr(ord('A') + len(HEADER) - 1)}{count + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(sheet, row: RatingRow, zone: tzinfo) -> list:
    when = WriteOnlyCell(sheet, value=row.created_at.astimezone(zone).replace(tzinfo=None))
    when.number_format = "yyyy-mm-dd hh:mm"
    return [
        row.id,
        when,
        _text(sheet, row.department),
        _text(sheet, row.person),
        texts.LEVEL_LABELS[row.level],
        _text(sheet, row.tags),
        _text(sheet, row.comment),
        "再次评价" if row.followup else "首次评价",
        row.ticket or "",
    ]
