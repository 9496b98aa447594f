"""The declared column spec of an Excel import: one list drives both the template and the importer.

Each column names its title, the key of its typed value, and a parser. A parser receives a
non-blank cell and returns the typed value, or raises CellError whose Chinese message says what
to type instead; blank cells never reach it (a required column reports them, others get the
column's default).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from backend.excel import reader

Parse = Callable[[object], object]


class CellError(ValueError):
    """A cell's value cannot be used; the message tells the user what to type."""


def _as_text(value: object) -> str:
    return reader.text(value)


@dataclass(frozen=True)
class Column:
    """One import column: title, value key, parser, and how the template shows it."""

    title: str
    key: str
    parse: Parse = _as_text
    required: bool = False
    example: object = ""
    note: str = ""
    width: float = 12
    choices: tuple[str, ...] = ()
    default: object = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """One import: its columns in template order, its template's file and sheet, its wording."""

    kind: str
    columns: tuple[Column, ...]
    filename: str = ""
    sheet: str = ""
    blank: str = "必填"
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {c.title: i for i, c in enumerate(self.columns)})

    def titles(self) -> list[str]:
        """Return the column titles in template order."""
        return [c.title for c in self.columns]

    def required(self) -> set[str]:
        """Return the titles of the required columns."""
        return {c.title for c in self.columns if c.required}

    def order(self, title: str) -> int:
        """Return a column's position (unknown titles sort last)."""
        return self.index.get(title, len(self.columns))


def unknown_choice(raw: str, options: dict) -> str:
    """Return the message for a value that is none of `options` (Chinese option names shown)."""
    names = "、".join(k for k in options if not k.isascii())
    return f"“{raw}”不是有效取值，应为：{names}"


def text_cell(limit: int, message: str = "不能超过 {limit} 字") -> Parse:
    """Parse trimmed text of at most `limit` characters."""

    def parse(value: object) -> str:
        raw = reader.text(value)
        if len(raw) > limit:
            raise CellError(message.format(limit=limit))
        return raw

    return parse


def pattern_cell(pattern: str, message: str) -> Parse:
    """Parse text that must match a regular expression."""
    compiled = re.compile(pattern)

    def parse(value: object) -> str:
        raw = reader.text(value)
        if not compiled.match(raw):
            raise CellError(message.format(value=raw))
        return raw

    return parse


def yes_no_cell(message: str = "应填“是”或“否”") -> Parse:
    """Parse 是/否 style cells into True or False."""

    def parse(value: object) -> bool:
        found = reader.yes_no(value)
        if found is None:
            raise CellError(message.format(value=reader.text(value)))
        return found

    return parse


def date_cell(message: str = "日期格式应为 YYYY-MM-DD") -> Parse:
    """Parse a date cell or YYYY-MM-DD text (also with / or . between the parts)."""

    def parse(value: object):
        try:
            return reader.day(value)
        except (ValueError, TypeError):
            raise CellError(message.format(value=value)) from None

    return parse


def number_cell(
    message: str, low: float | None = None, high: float | None = None, range_message: str = ""
) -> Parse:
    """Parse a number, refusing values outside `low` (exclusive) to `high` (inclusive)."""

    def parse(value: object) -> float:
        try:
            found = reader.number(value)
        except (ValueError, TypeError):
            raise CellError(message.format(value=reader.text(value))) from None
        if found is None:  # a blank cell: the importer never passes one here
            raise CellError(message.format(value=""))
        too_low = low is not None and found <= low
        if too_low or (high is not None and found > high):
            raise CellError(range_message)
        return found

    return parse


def integer_cell(low: int, high: int) -> Parse:
    """Parse a whole number from `low` to `high`."""

    def parse(value: object) -> int:
        raw = reader.text(value)
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise CellError(f"“{raw}”不是 {low}–{high} 的整数")
        return int(raw)

    return parse


def choice_cell(options: dict, message: Callable[[str, dict], str] = unknown_choice) -> Parse:
    """Parse a cell naming one of `options` into the option's value."""

    def parse(value: object):
        raw = reader.text(value)
        if raw not in options:
            raise CellError(message(raw, options))
        return options[raw]

    return parse


def count_cell(hint: str = "应填不小于 0 的整数") -> Parse:
    """Parse a count: a whole number of zero or more (12.0 from Excel reads as 12)."""

    def parse(value: object) -> int:
        try:
            found = reader.number(value)
        except (ValueError, TypeError):
            raise CellError(f"“{reader.text(value)}”不是数字，{hint}") from None
        if found is None or found != int(found):
            raise CellError(f"“{reader.text(value)}”不是整数，{hint}")
        if found < 0:
            raise CellError(f"不能为负数，{hint}")
        return int(found)

    return parse


def percent_cell(hint: str = "应填 0–100 的数，如 98.5") -> Parse:
    """Parse a percentage from 0 to 100 (a trailing % is allowed)."""

    def parse(value: object) -> float:
        raw = reader.text(value).removesuffix("%").removesuffix("％").strip()
        try:
            found = reader.number(value if isinstance(value, int | float) else raw)
        except (ValueError, TypeError):
            raise CellError(f"“{reader.text(value)}”不是数字，{hint}") from None
        if found is None or not 0 <= found <= 100:
            raise CellError(f"“{reader.text(value)}”超出范围，{hint}")
        return found

    return parse
