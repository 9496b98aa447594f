"""Pure parsers for a whole day in one message: parts, the dates inside it, each part's facts.

"上午接待群众来访2小时，处理3件；下午到企业检查3小时" is two parts: a part starts at a line break,
a full stop or semicolon, or where a comma or a word like 上午 brings a second duration. A date
(昨天, 周一, 上周五, 11-20) applies to its part and the parts after it until the next one; a line
ending in a colon is a heading (its date counts, it is not a piece of work).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.parsing import (
    HOURS_PATTERN,
    RELATIVE_DAYS,
    ParseError,
    QuickParts,
    normalise_digits,
    parse_date,
    parse_quick,
)

MAX_PARTS = 10
MAX_TEXT = 2000
WEEKDAY_NAMES = "一二三四五六日天"
_HARD_BREAK = re.compile(r"[\n\r；;。！!]+")
_SOFT_BREAK = re.compile(r"([，,、]+|(?:上午|下午|中午|晚上|早上|傍晚|另外)[：:]?)")
_LIST_NUMBER = re.compile(r"^(?:[0-9]{1,2}[.、)）](?![0-9])|[（(][0-9]{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩])\s*")
_TRIM = " \t，,、：:的"
_GAP = re.compile(r"\s*([，,、；;：:])\s*")
_HEADING = re.compile(r"[：:]\s*$")
_RELATIVE = "|".join(RELATIVE_DAYS)
_DATE = re.compile(
    rf"(?P<relative>{_RELATIVE})"
    rf"|(?P<last>上)?(?:周|星期|礼拜)(?P<weekday>[{WEEKDAY_NAMES}])"
    r"|(?<![0-9])(?P<full>[0-9]{4}[-/年][0-9]{1,2}[-/月][0-9]{1,2}日?)(?![0-9])"
    r"|(?<![0-9.])(?P<short>[0-9]{1,2}(?:[-/][0-9]{1,2}(?![0-9.])|月[0-9]{1,2}[日号]?))"
    r"(?![0-9])(?!\s*(?:小时|个|件|起|次|人|h|H))"
)


@dataclass(frozen=True)
class DayPart:
    """One piece of work in a message: its date (None: unreadable), and its quick facts."""

    day: date | None
    facts: QuickParts
    has_hours: bool
    dated: bool = False  # a date in the message applies to it (else it is today's)


def split_day(text: str, today: date) -> list[DayPart]:
    """Split a message into its pieces of work, each with the date that applies to it."""
    parts: list[DayPart] = []
    current: date | None = today
    dated = False
    for piece, heading in _pieces(normalise_digits(text[:MAX_TEXT])):
        found = _DATE.search(piece)
        if found is not None:
            current, dated = _read_date(found, today), True
            piece = piece[: found.start()] + " " + piece[found.end() :]
        piece = _LIST_NUMBER.sub("", piece.strip(_TRIM)).strip(_TRIM)
        if not heading and _meaningful(piece):
            parts.append(_part(piece, current, dated))
    return parts


def _pieces(text: str) -> list[tuple[str, bool]]:
    """Return the message's pieces, each with whether it is a heading (ends in a colon)."""
    pieces: list[tuple[str, bool]] = []
    for chunk in _HARD_BREAK.split(text):
        if _HEADING.search(chunk):
            pieces.append((chunk, True))
            continue
        pieces.extend((piece, False) for piece in _group_by_duration(chunk))
    return pieces


def _group_by_duration(chunk: str) -> list[str]:
    """Join a chunk's clauses, starting a new piece where a clause brings a second duration."""
    pieces = _SOFT_BREAK.split(chunk)  # clause, separator, clause, …
    groups: list[str] = []
    timed_groups: list[bool] = []
    for index in range(0, len(pieces), 2):
        clause, separator = pieces[index], pieces[index - 1] if index else ""
        timed = HOURS_PATTERN.search(clause) is not None
        if not groups and not clause.strip():
            continue  # the chunk opens with a separator word such as 上午
        if groups and not (timed and timed_groups[-1]):
            groups[-1] += separator + clause
            timed_groups[-1] = timed_groups[-1] or timed
            continue
        groups.append(clause)
        timed_groups.append(timed)
    return groups


def _read_date(found: re.Match, today: date) -> date | None:
    if found["relative"]:
        return today - timedelta(days=RELATIVE_DAYS[found["relative"]])
    if found["weekday"]:
        return weekday_before(today, WEEKDAY_NAMES.index(found["weekday"]), bool(found["last"]))
    try:
        return parse_date(found["full"] or found["short"], today)
    except ParseError:
        return None


def weekday_before(today: date, weekday: int, last_week: bool) -> date:
    """Return this week's (or last week's) day of `weekday` (0 = Monday; 周天 is Sunday)."""
    weekday = min(weekday, 6)
    monday = today - timedelta(days=today.weekday())
    if last_week:
        return monday - timedelta(days=7 - weekday)
    day = monday + timedelta(days=weekday)
    return day if day <= today else day - timedelta(days=7)


def _part(piece: str, day: date | None, dated: bool) -> DayPart:
    facts = parse_quick(piece)
    if facts is None:
        return DayPart(day, QuickParts(0.0, None, _tidy(piece)), False, dated)
    return DayPart(day, QuickParts(facts.hours, facts.items, _tidy(facts.description)), True, dated)


def _tidy(text: str) -> str:
    """Close the gaps a removed date or duration leaves around punctuation."""
    text = _GAP.sub(r"\1", " ".join(text.split()))
    return text.strip(_TRIM)


def _meaningful(piece: str) -> bool:
    return sum(1 for ch in piece if ch.isalnum()) >= 2


def is_whole_day(parts: list[DayPart]) -> bool:
    """Tell whether the parts are several pieces of work (at least two, one with hours)."""
    return len(parts) >= 2 and any(part.has_hours for part in parts)
