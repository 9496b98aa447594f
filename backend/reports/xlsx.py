"""Write report data to an XLSX workbook through the one formula-safe writer, returning bytes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backend.excel.writer import Book, Column


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, a header row and data rows (str, int, float or None)."""

    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] | None = None


def render_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """Write the sheets in order and return the workbook bytes."""
    book = Book()
    for sheet in sheets:
        book.table(sheet.title, _columns(sheet), sheet.rows, total_label=None)
    return book.getvalue()


def _columns(sheet: Sheet) -> list[Column]:
    widths: list[float | None] = list(sheet.widths or [])
    widths += [None] * (len(sheet.columns) - len(widths))
    return [Column(title, width) for title, width in zip(sheet.columns, widths, strict=False)]
