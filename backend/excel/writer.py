"""Streamed, formula-safe worksheets the way offices expect them.

Bold frozen header, autofilter, column widths, dates as dates and a total row, written with
openpyxl's write-only mode so memory stays flat however many rows there are. Any text that a
spreadsheet could take for a formula (starting with = + - @, a tab or a carriage return) is
written as a plain string cell, and control characters an .xlsx cannot hold are dropped. Every
writer of the project (entries, survey results, ratings, reports) makes its cells through
`safe_cell` (or `TableWriter`, which uses it), so no stored text can break an export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FONT = Font(bold=True)
WRAP = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True)
class Column:
    """One output column: header, width in characters, and what it holds."""

    title: str
    width: float = 12
    kind: str = "text"  # text | date | datetime | number | integer
    total: bool = False


def clean_text(value: str) -> str:
    """Drop the control characters an .xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def safe_value(value):
    """Return the value as it may be written: text without illegal characters."""
    if value.__class__ is str and not value.isprintable() and ILLEGAL_CHARACTERS_RE.search(value):
        return clean_text(value)
    return value


def safe_cell(sheet, value) -> WriteOnlyCell:
    """Make a write-only cell: clean text, and text that looks like a formula stays text."""
    value = safe_value(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value[:1] in FORMULA_LEADS:
        cell.data_type = "s"  # a string, never a formula, whatever it starts with
    return cell


class TableWriter:
    """Write one table into a write-only worksheet: header, rows, optional total row."""

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column]) -> None:
        self.sheet = workbook.create_sheet(title=title)
        self.columns = list(columns)
        self.rows = 0
        self._totals = [0.0 if c.total else None for c in self.columns]
        self._total_indexes = [i for i, c in enumerate(self.columns) if c.total]
        self._text_indexes = [i for i, c in enumerate(self.columns) if c.kind == "text"]
        self._setup()

    def _setup(self) -> None:
        for index, column in enumerate(self.columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.sheet.freeze_panes = "A2"
        self.sheet.append([self._header_cell(c.title) for c in self.columns])

    def _header_cell(self, title: str) -> WriteOnlyCell:
        cell = safe_cell(self.sheet, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        return cell

    def append(self, values: Sequence) -> None:
        """Write one data row; every text is cleaned and text cells are made formula-safe."""
        row = [safe_value(value) for value in values]
        for index in self._text_indexes:
            value = row[index]
            if value.__class__ is str and value[:1] in FORMULA_LEADS:
                row[index] = safe_cell(self.sheet, value)
        for index in self._total_indexes:
            amount = values[index]
            if amount is not None:
                self._totals[index] += amount
        self.sheet.append(row)
        self.rows += 1

    def extend(self, rows: Iterable[Sequence]) -> None:
        """Write many data rows."""
        for row in rows:
            self.append(row)

    def finish(self, total_label: str | None = "合计") -> None:
        """Add the total row (if any column totals) and the autofilter over header and data."""
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"
        if total_label is None or not self._total_indexes:
            return
        row = []
        for index, amount in enumerate(self._totals):
            value = total_label if index == 0 else amount
            cell = WriteOnlyCell(self.sheet, value=_rounded(value))
            cell.font = TOTAL_FONT
            row.append(cell)
        self.sheet.append(row)


def _rounded(value):
    return round(value, 2) if isinstance(value, float) else value


def new_workbook() -> Workbook:
    """Return an empty write-only workbook."""
    return Workbook(write_only=True)


def save(workbook: Workbook, target: str | IO[bytes]) -> None:
    """Write the workbook to a path or binary file object."""
    workbook.save(target)
