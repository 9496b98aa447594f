"""Reading an uploaded import workbook: header mapping, typed cells, row-level errors."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_ROWS = 200_000  # default; the console passes Settings.LVZHI_IMPORT_MAX_ROWS
MAX_CELL_CHARS = 2_000  # no template column needs more; longer cells refuse the file
MAX_ERRORS_SHOWN = 200  # the report lists the first errors and counts the rest
MAX_UNCOMPRESSED = 400 * 1024 * 1024  # a last guard; the console checks its own, lower limit
MAX_MEMBERS = 50  # an .xlsx from the template has about a dozen parts
YES = {"是", "Y", "y", "yes", "Yes", "YES", "1", "√", "true", "True", "TRUE"}
UNREADABLE_SHEET = "文件内容不完整或已损坏，无法读取：请重新保存后再上传由模板填写的 .xlsx 文件"
NO = {"否", "N", "n", "no", "No", "NO", "0", "", "false", "False", "FALSE"}


class WorkbookError(ValueError):
    """The file as a whole cannot be read (not .xlsx, empty, missing columns)."""


@dataclass(frozen=True)
class RowError:
    """Why one cell of one row was rejected."""

    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        """Return the error as a JSON-ready dict."""
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    kind: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0

    @property
    def applied(self) -> bool:
        """Whether the rows were written (only when no row was rejected)."""
        return not self.errors

    def as_dict(self, *, max_errors: int = MAX_ERRORS_SHOWN) -> dict:
        """Return the report as a JSON-ready dict, listing at most `max_errors` errors."""
        shown = self.errors[:max_errors]
        return {
            "kind": self.kind, "rows": self.rows, "applied": self.applied,
            "errors": [e.as_dict() for e in shown], "error_count": len(self.errors),
            "more_errors": len(self.errors) - len(shown), "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "deactivated": self.deactivated,
        }  # fmt: skip


@dataclass(frozen=True)
class SheetRow:
    """One data row: its Excel row number and its cells by column title."""

    number: int
    cells: dict[str, object]


def check_archive(data: bytes, *, max_uncompressed: int) -> None:
    """Refuse a file that is not a zip or would unpack to more than `max_uncompressed` bytes.

    Reads only the zip's directory, before openpyxl opens anything (a zip bomb stops here).
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookError("无法读取文件：请上传由模板填写的 .xlsx 文件") from None
    if len(members) > MAX_MEMBERS:
        raise WorkbookError("文件结构异常：请使用后台提供的模板")
    if sum(m.file_size for m in members) > max_uncompressed:
        raise WorkbookError(f"文件解压后超过 {max_uncompressed / 1048576:.3g} MB，请分批导入")


def read_rows(
    data: bytes, titles: list[str], required: set[str], *, max_rows: int = MAX_ROWS
) -> list[SheetRow]:
    """Read the first sheet's data rows, refusing files that lack a required column."""
    sheet = _first_sheet(data)
    rows = sheet_values(sheet)
    header = next(rows, None)
    if header is None:
        raise WorkbookError("文件是空的：第 1 行应为表头")
    positions = _positions(header, titles, required)
    return list(_data_rows(rows, positions, max_rows))


def sheet_values(sheet, **bounds) -> Iterator[tuple]:
    """Yield a read-only sheet's rows of values; a truncated or corrupt sheet is a WorkbookError.

    In read-only mode openpyxl parses the sheet's XML only while iterating, so a broken file
    passes `load_workbook` and fails here, with XML, zip or zlib errors of several kinds.
    """
    try:
        yield from sheet.iter_rows(values_only=True, **bounds)
    except (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError,
            OSError) as exc:  # fmt: skip
        raise WorkbookError(UNREADABLE_SHEET) from exc


def _first_sheet(data: bytes):
    check_archive(data, max_uncompressed=MAX_UNCOMPRESSED)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise WorkbookError("无法读取文件：请上传由模板填写的 .xlsx 文件") from None
    return workbook.worksheets[0]


def _positions(header: tuple, titles: list[str], required: set[str]) -> dict[str, int]:
    found = {}
    for index, value in enumerate(header):
        title = str(value or "").strip().rstrip("*＊").strip()
        if title in titles and title not in found:
            found[title] = index
    missing = [t for t in titles if t in required and t not in found]
    if missing:
        raise WorkbookError("表头缺少列：" + "、".join(missing) + "（请使用后台提供的模板）")
    return found


def _data_rows(rows, positions: dict[str, int], max_rows: int) -> Iterator[SheetRow]:
    for number, values in enumerate(rows, start=2):
        if number - 1 > max_rows:
            raise WorkbookError(f"行数超过 {max_rows} 行，请分批导入")
        cells = {t: values[i] if i < len(values) else None for t, i in positions.items()}
        if any(_present(v) for v in cells.values()):
            _check_lengths(number, cells)
            yield SheetRow(number, cells)


def _check_lengths(number: int, cells: dict[str, object]) -> None:
    for title, value in cells.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise WorkbookError(f"第 {number} 行“{title}”超过 {MAX_CELL_CHARS} 字，请检查文件")


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def text(value: object) -> str:
    """Return a cell as trimmed text (whole numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def yes_no(value: object) -> bool | None:
    """Return True/False for 是/否 style cells, None when unreadable."""
    raw = text(value)
    if raw in YES:
        return True
    return False if raw in NO else None


def day(value: object) -> date | None:
    """Return a date from a date cell or YYYY-MM-DD text; raise ValueError when unreadable."""
    if value is None or text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value).replace("/", "-").replace(".", "-")
    return date.fromisoformat("-".join(part.zfill(2) for part in raw.split("-")))


def number(value: object) -> float | None:
    """Return a number from a numeric or text cell; raise ValueError when unreadable."""
    if value is None or text(value) == "":
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    return float(value) if isinstance(value, int | float) else float(text(value))


def choice(cells: dict, column: str, options: dict, fail, *, required: bool = False):
    """Return the option a cell names, or None after reporting a blank or unknown value."""
    raw = text(cells.get(column))
    if not raw:
        if required:
            fail(column, "必填")
        return None
    if raw not in options:
        names = "、".join(k for k in options if not k.isascii())
        fail(column, f"“{raw}”不是有效取值，应为：{names}")
        return None
    return options[raw]
