"""Write report data to an XLSX workbook (write-only, formula-safe), returning bytes."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from backend.excel import writer

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EAED")
MAX_SHEET_TITLE = 31


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, a header row and data rows (str, int, float or None)."""

    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] | None = None


def render_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """Write the sheets in order and return the workbook bytes."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(_safe_title(sheet.title)), sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(worksheet: WriteOnlyWorksheet, sheet: Sheet) -> None:
    for index, width in enumerate(sheet.widths or [], start=1):
        worksheet.column_dimensions[_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    worksheet.append([_header_cell(worksheet, name) for name in sheet.columns])
    for row in sheet.rows:
        worksheet.append([safe_cell(worksheet, value) for value in row])


def _header_cell(worksheet: WriteOnlyWorksheet, name: str) -> WriteOnlyCell:
    cell = safe_cell(worksheet, name)
    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    return cell


def safe_cell(worksheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    """Make a cell through the one formula-safe writer (clean text, never a formula)."""
    return writer.safe_cell(worksheet, value)


def _safe_title(title: str) -> str:
    title = writer.clean_text(title)
    for char in "[]:*?/\\":
        title = title.replace(char, "_")
    return title[:MAX_SHEET_TITLE] or "Sheet"


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
