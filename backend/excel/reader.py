"""Reading an uploaded import workbook: header mapping, typed cells, row-level errors."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_ROWS = 20_000
YES = {"是", "Y", "y", "yes", "Yes", "YES", "1", "√", "true", "True", "TRUE"}
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

    def as_dict(self) -> dict:
        """Return the report as a JSON-ready dict."""
        return {
            "kind": self.kind, "rows": self.rows, "applied": self.applied,
            "errors": [e.as_dict() for e in self.errors], "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "deactivated": self.deactivated,
        }  # fmt: skip


@dataclass(frozen=True)
class SheetRow:
    """One data row: its Excel row number and its cells by column title."""

    number: int
    cells: dict[str, object]


def read_rows(data: bytes, titles: list[str], required: set[str]) -> list[SheetRow]:
    """Read the first sheet's data rows, refusing files that lack a required column."""
    sheet = _first_sheet(data)
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise WorkbookError("文件是空的：第 1 行应为表头")
    positions = _positions(header, titles, required)
    return list(_data_rows(rows, positions))


def _first_sheet(data: bytes):
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


def _data_rows(rows, positions: dict[str, int]) -> Iterator[SheetRow]:
    for number, values in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise WorkbookError(f"行数超过 {MAX_ROWS} 行，请分批导入")
        cells = {t: values[i] if i < len(values) else None for t, i in positions.items()}
        if any(_present(v) for v in cells.values()):
            yield SheetRow(number, cells)


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
