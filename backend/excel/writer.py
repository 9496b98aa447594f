"""The one formula-safe XLSX writer of the project, streamed the way offices expect it.

Every export (entries, summaries, survey results, ratings, report data) writes through `Book`:
tables get a bold frozen header, an autofilter, column widths, dates as real dates and an
optional 合计 row; free sheets (a summary layout) get their rows as they are. Every cell is
written by its type, text always with `write_string`, so text that a spreadsheet could take for
a formula (starting with = + - @, a tab or a carriage return) stays a plain string; control
characters an .xlsx cannot hold are dropped and over-long text is cut at Excel's cell limit.

The engine is XlsxWriter in `constant_memory` mode (each row is flushed to a temporary file once
the next row starts), so memory stays flat however many rows there are. openpyxl stays for
reading and for the import templates.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import IO

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
UNWRITABLE_RE = re.compile(r"[\000-\010]|[\013-\037]")  # the illegal ones and CR
MAX_TEXT = 32_767  # characters Excel keeps in one cell
MAX_SHEET_TITLE = 31
PIXELS_PER_CHARACTER = 7  # Calibri 11's digit width: Excel's unit for column widths
OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
}
HEADER_STYLE = {"bold": True, "bg_color": "#DDEBF7"}
DATE_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss"}


@dataclass(frozen=True)
class Column:
    """One output column: header, width in characters, what it holds and its number format."""

    title: str
    width: float | None = 12
    kind: str = "text"  # text | date | datetime | number | integer
    total: bool = False
    number_format: str | None = None  # for dates: overrides the kind's format


def clean_text(value: str) -> str:
    """Drop the control characters an .xlsx cannot hold, end lines with LF, cut at the limit."""
    # XlsxWriter would store a CR as _x000D_; a raw CR in XML (as openpyxl wrote) reads as LF
    value = ILLEGAL_CHARACTERS_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    return value[:MAX_TEXT]


def safe_text(value: str) -> str:
    """Return text as it may be written (fast path for the usual clean, short text)."""
    if len(value) > MAX_TEXT or (not value.isprintable() and UNWRITABLE_RE.search(value)):
        return clean_text(value)
    return value


def sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """Make a valid, unused sheet title: no []:*?/\\, at most 31 characters."""
    title = clean_text(title)
    for char in "[]:*?/\\":
        title = title.replace(char, "_")
    title = title.strip("'")[:MAX_SHEET_TITLE] or "Sheet"
    used = {name.lower() for name in taken}
    base, number = title, 1
    while title.lower() in used:
        number += 1
        title = f"{base[: MAX_SHEET_TITLE - len(str(number)) - 1]}_{number}"
    return title


class Book:
    """A workbook being written, sheet after sheet; to a path, a binary file or into memory."""

    def __init__(self, target: str | IO[bytes] | None = None) -> None:
        self._buffer = io.BytesIO() if target is None else None
        self._book = xlsxwriter.Workbook(target or self._buffer, OPTIONS)
        self._titles: list[str] = []
        self._formats: dict[str, Format] = {}
        self.header_format = self._book.add_format(HEADER_STYLE)
        self.total_format = self._book.add_format({"bold": True})

    def date_format(self, pattern: str) -> Format:
        """Return the (shared) cell format for dates shown with this pattern."""
        if pattern not in self._formats:
            self._formats[pattern] = self._book.add_format({"num_format": pattern})
        return self._formats[pattern]

    def add_sheet(self, title: str) -> Worksheet:
        """Add a worksheet under a valid, unique version of the title."""
        title = sheet_title(title, self._titles)
        self._titles.append(title)
        return self._book.add_worksheet(title)

    def table(
        self,
        title: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence],
        total_label: str | None = "合计",
    ) -> int:
        """Write one table sheet (header, rows, optional total row); return its data rows."""
        table = TableWriter(self, title, columns)
        table.extend(rows)
        table.finish(total_label)
        return table.rows

    def sheet(self, title: str, rows: Iterable[Sequence]) -> int:
        """Write a free sheet: rows as they are, no header; return the rows written."""
        cells = CellWriter(self, self.add_sheet(title), [])
        count = 0
        for count, values in enumerate(rows, start=1):
            cells.row(count - 1, values)
        return count

    def close(self) -> None:
        """Finish the file (once)."""
        if not self._book.fileclosed:
            self._book.close()

    def getvalue(self) -> bytes:
        """Close an in-memory workbook and return its bytes."""
        self.close()
        return self._buffer.getvalue() if self._buffer else b""

    def save(self, target: str | IO[bytes] | None = None) -> None:
        """Finish the file; an in-memory workbook is copied to the path or binary file."""
        if self._buffer is None or target is None:
            self.close()
        elif isinstance(target, str):
            with open(target, "wb") as handle:
                handle.write(self.getvalue())
        else:
            target.write(self.getvalue())


class CellWriter:
    """Write values into one worksheet by their type, text always as a plain string."""

    def __init__(self, book: Book, sheet: Worksheet, columns: Sequence[Column]) -> None:
        self.sheet = sheet
        self._formats = [_date_formats(book, column) for column in columns]
        self._default = _date_formats(book, Column(""))

    def row(self, index: int, values: Sequence, style: Format | None = None) -> None:
        """Write one row of values starting at the first column."""
        write_string, write_number = self.sheet.write_string, self.sheet.write_number
        for col, value in enumerate(values):
            kind = value.__class__
            if kind is str:
                write_string(index, col, safe_text(value), style)
            elif kind is int or kind is float:
                write_number(index, col, value, style)
            elif kind is date or kind is datetime:
                self.sheet.write_datetime(index, col, value, self._date_format(col, value))
            elif value is not None:
                self._other(index, col, value, style)

    def _other(self, row: int, col: int, value: object, style: Format | None) -> None:
        if isinstance(value, bool):
            self.sheet.write_boolean(row, col, value, style)
        elif isinstance(value, int | float | Decimal | Fraction):
            self.sheet.write_number(row, col, float(value), style)
        elif isinstance(value, date):
            self.sheet.write_datetime(row, col, value, self._date_format(col, value))
        else:
            self.sheet.write_string(row, col, safe_text(str(value)), style)

    def _date_format(self, col: int, value: date) -> Format:
        formats = self._formats[col] if col < len(self._formats) else self._default
        return formats[1] if isinstance(value, datetime) else formats[0]


def _date_formats(book: Book, column: Column) -> tuple[Format, Format]:
    """Return the formats for a date and a datetime in this column."""
    if column.number_format:
        own = book.date_format(column.number_format)
        return own, own
    if column.kind in DATE_FORMATS:
        own = book.date_format(DATE_FORMATS[column.kind])
        return own, own
    return book.date_format(DATE_FORMATS["date"]), book.date_format(DATE_FORMATS["datetime"])


class TableWriter:
    """Write one table: bold frozen header, widths, rows, autofilter, optional total row."""

    def __init__(self, book: Book, title: str, columns: Sequence[Column]) -> None:
        self.book = book
        self.columns = list(columns)
        self.sheet = book.add_sheet(title)
        self.cells = CellWriter(book, self.sheet, self.columns)
        self.rows = 0
        self._totals = [0.0 if c.total else None for c in self.columns]
        self._total_indexes = [i for i, c in enumerate(self.columns) if c.total]
        self._setup()

    def _setup(self) -> None:
        for index, column in enumerate(self.columns):
            if column.width is not None:
                pixels = round(column.width * PIXELS_PER_CHARACTER)
                self.sheet.set_column_pixels(index, index, pixels)  # stored width == declared
        self.sheet.freeze_panes(1, 0)
        self.cells.row(0, [c.title for c in self.columns], self.book.header_format)

    def append(self, values: Sequence) -> None:
        """Write one data row; text is cleaned and always written as text."""
        self.rows += 1
        self.cells.row(self.rows, values)
        for index in self._total_indexes:
            amount = values[index]
            if amount is not None:
                self._totals[index] += amount

    def extend(self, rows: Iterable[Sequence]) -> None:
        """Write many data rows."""
        for row in rows:
            self.append(row)

    def finish(self, total_label: str | None = "合计") -> None:
        """Add the autofilter over header and data, and the total row if any column totals."""
        if self.columns:
            self.sheet.autofilter(0, 0, self.rows, len(self.columns) - 1)
        if total_label is None or not self._total_indexes:
            return
        values = [_rounded(amount) for amount in self._totals]
        values[0] = total_label
        self.cells.row(self.rows + 1, values, self.book.total_format)


def _rounded(value):
    return round(value, 2) if isinstance(value, float) else value


def new_workbook(target: str | IO[bytes] | None = None) -> Book:
    """Return an empty workbook writing to the target (or into memory until `save`)."""
    return Book(target)


def save(book: Book, target: str | IO[bytes] | None = None) -> None:
    """Finish the workbook (copied to the target if it was written into memory)."""
    book.save(target)
