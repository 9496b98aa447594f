"""Reading an uploaded workbook safely: archive limits, corrupt sheets, cell values, row errors."""

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
            "kind": self.kind,
            "rows": self.rows,
            "applied": self.applied,
            "errors": [e.as_dict() for e in shown],
            "error_count": len(self.errors),
            "more_errors": len(self.errors) - len(shown),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
        }


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


def sheet_values(sheet, **bounds) -> Iterator[tuple]:
    """Yield a read-only sheet's rows of values; a truncated or corrupt sheet is a WorkbookError.

    In read-only mode openpyxl parses the sheet's XML only while iterating, so a broken file
    passes `load_workbook` and fails here, with XML, zip or zlib errors of several kinds.
    """
    try:
        yield from sheet.iter_rows(values_only=True, **bounds)
    except (
        SyntaxError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,
        ValueError,
        OSError,
    ) as exc:
        raise WorkbookError(UNREADABLE_SHEET) from exc


def open_workbook(data: bytes, *, max_uncompressed: int = MAX_UNCOMPRESSED):
    """Open an upload read-only after the archive check; an unreadable file is a WorkbookError."""
    check_archive(data, max_uncompressed=max_uncompressed)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise WorkbookError("无法读取文件：请上传由模板填写的 .xlsx 文件") from None


def present(value: object) -> bool:
    """Whether a cell holds anything but blanks."""
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
