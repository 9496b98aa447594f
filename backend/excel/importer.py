"""The one importer: a bounded sheet read, headers matched to a spec, typed rows, row errors.

Every import is a spec (its columns), a row type, its own check (database lookups, rules across
rows) and its own apply. `read_sheet` parses every row with the spec's parsers; `validate` runs
the import's check on each parsed row (also on rows whose cells failed, so every problem of a
row is listed at once) and gathers every error in one ImportReport. `parse_fields` reads a
settings sheet (one row per field) with the same columns; every key gets a value, the default
when its cell failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from openpyxl.utils import get_column_letter

from backend.excel import reader
from backend.excel.reader import MAX_CELL_CHARS, ImportReport, RowError, WorkbookError
from backend.excel.spec import CellError, Column, Spec

T = TypeVar("T")
Fail = Callable[[str, str], None]


class TooManyRows(WorkbookError):
    """The sheet has more data rows than the import allows."""


class MissingColumns(WorkbookError):
    """The header lacks required columns; `errors` names each one (row 1)."""

    def __init__(self, titles: list[str]):
        super().__init__("表头缺少列：" + "、".join(titles) + "（请使用后台提供的模板）")
        self.errors = [RowError(1, title, "表头缺少此列") for title in titles]


class CellTooLong(WorkbookError):
    """A cell is longer than any column needs; the file is refused with the cell's place."""

    def __init__(self, error: RowError, letter: str):
        super().__init__(f"第 {error.row} 行“{error.column}”{error.reason}，请检查文件")
        self.error, self.letter = error, letter


@dataclass(frozen=True)
class ParsedRow:
    """One non-blank data row: its Excel row number, typed values by key, whether a cell failed."""

    number: int
    values: dict[str, Any]
    failed: bool = False


@dataclass
class ParsedSheet:
    """A sheet read against a spec: its rows, the cells' errors, each found column's letter."""

    spec: Spec
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedFields:
    """A settings sheet (项目 | 内容) read against a spec: values by key, errors, rows by title."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def read_sheet(data: bytes, spec: Spec, *, max_rows: int = reader.MAX_ROWS) -> ParsedSheet:
    """Read an upload's first sheet against `spec`; raise WorkbookError when it is unusable."""
    return parse_sheet(reader.open_workbook(data).worksheets[0], spec, max_rows=max_rows)


def parse_sheet(sheet, spec: Spec, *, max_rows: int = reader.MAX_ROWS) -> ParsedSheet:
    """Match an open sheet's header to `spec` and parse every non-blank row below it."""
    rows = reader.sheet_values(sheet)
    header = next(rows, None)
    if header is None:
        raise WorkbookError("文件是空的：第 1 行应为表头")
    positions = header_positions(header, spec)
    parsed = ParsedSheet(spec, letters={t: get_column_letter(i + 1) for t, i in positions.items()})
    for number, values in enumerate(rows, start=2):
        if number - 1 > max_rows:
            raise TooManyRows(f"行数超过 {max_rows} 行，请分批导入")
        cells = {t: values[i] if i < len(values) else None for t, i in positions.items()}
        if any(reader.present(v) for v in cells.values()):
            _check_lengths(number, cells, parsed.letters)
            parsed.rows.append(parse_row(number, cells, spec, parsed.errors))
    return parsed


def header_positions(header: tuple, spec: Spec) -> dict[str, int]:
    """Map each spec column found in the header (title, alias, trailing *) to its index."""
    names = {a: c.title for c in spec.columns for a in c.aliases}
    names |= {c.title: c.title for c in spec.columns}
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        title = names.get(str(value or "").strip().rstrip("*＊").strip())
        if title is not None and title not in found:
            found[title] = index
    missing = [t for t in spec.titles() if t in spec.required() and t not in found]
    if missing:
        raise MissingColumns(missing)
    return found


def parse_row(
    number: int, cells: dict[str, object], spec: Spec, errors: list[RowError]
) -> ParsedRow:
    """Parse one row's cells (by title) with the spec's parsers; append each bad cell's error."""
    values: dict[str, Any] = {}
    failed = False
    for column in spec.columns:
        problem = parse_cell(column, cells.get(column.title), spec, values)
        if problem:
            errors.append(RowError(number, column.title, problem))
            failed = True
    return ParsedRow(number, values, failed)


def parse_cell(column: Column, raw: object, spec: Spec, values: dict) -> str:
    """Store one cell's typed value under its key; return the problem, or "" when it is fine."""
    if not reader.present(raw):
        values[column.key] = column.default
        return spec.blank if column.required else ""
    try:
        values[column.key] = column.parse(raw)
    except CellError as error:
        return str(error)
    return ""


def _check_lengths(number: int, cells: dict[str, object], letters: dict[str, str]) -> None:
    for title, value in cells.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise CellTooLong(RowError(number, title, too_long()), letters[title])


def too_long() -> str:
    """Return the reason given for an over-long cell."""
    return f"超过 {MAX_CELL_CHARS} 字"


def validate(
    parsed: ParsedSheet, check: Callable[[ParsedRow, Fail], T | None]
) -> tuple[list[T], ImportReport]:
    """Run the import's `check(row, fail)` on every row (failed ones too); keep error-free rows."""
    report = ImportReport(kind=parsed.spec.kind, rows=len(parsed.rows), errors=list(parsed.errors))
    valid = []
    for row in parsed.rows:
        before = len(report.errors)
        typed = check(row, _fail_on(report.errors, row.number))
        if typed is not None and not row.failed and len(report.errors) == before:
            valid.append(typed)
    report.errors.sort(key=lambda e: (e.row, parsed.spec.order(e.column)))
    return valid, report


def _fail_on(errors: list[RowError], number: int) -> Fail:
    def fail(column: str, reason: str) -> None:
        errors.append(RowError(number, column, reason))

    return fail


def parse_fields(sheet, spec: Spec) -> ParsedFields:
    """Read a settings sheet (a row per column: title in A, value in B); a missing row is row 0."""
    found = {}
    for number, cells in enumerate(reader.sheet_values(sheet, min_row=2, max_col=2), 2):
        key = reader.text(cells[0]) if cells else ""
        if key and key not in found:
            found[key] = (number, cells[1] if len(cells) > 1 else None)
    parsed = ParsedFields(rows={title: row for title, (row, _) in found.items()})
    for column in spec.columns:
        number, raw = found.get(column.title, (0, None))
        problem = _field_problem(column, raw, spec, parsed.values)
        if problem:
            parsed.errors.append(RowError(number, column.title, problem))
    return parsed


def _field_problem(column: Column, raw: object, spec: Spec, values: dict) -> str:
    if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
        values[column.key] = column.default
        return too_long()
    problem = parse_cell(column, raw, spec, values)
    values.setdefault(column.key, column.default)
    return problem
