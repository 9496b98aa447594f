"""Pure parsers for what members type: dates, hours, counts, one-line quick entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MIN_HOURS = 0.5
MAX_HOURS = 16.0
RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
CHINESE_DIGITS = {"零": 0, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
CHINESE_DIGITS |= {"七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
_CN = "|".join(sorted(CHINESE_DIGITS, key=len, reverse=True))
# ASCII digits only, and never a piece of a longer number: a run of thousands of digits is then
# rejected in linear time instead of being tried from every position.
_NUMBER = r"(?<![0-9.])[0-9]{1,4}(?:\.[0-9]{1,3})?(?![0-9])"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．：－／", "0123456789.:-/")
NUMBER_DIGITS = 6
HOURS_PATTERN = re.compile(
    rf"(?P<minutes>{_NUMBER})\s*(?:分钟|min)"
    rf"|(?P<num>{_NUMBER})\s*(?:个)?\s*(?:小时|钟头|h|H)"
    rf"|(?P<cn>{_CN})\s*个?\s*(?P<half>半)?\s*(?:小时|钟头)"
    r"|(?P<halfonly>半)\s*(?:个)?\s*(?:小时|钟头)",
)
ITEMS_PATTERN = re.compile(
    r"(?:处理|办理|办结|接待|受理)?\s*(?<![0-9])([0-9]{1,4})(?![0-9])\s*(?:件|个|起|次|人)"
)
_FULL_DATE = re.compile(r"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$")
_SHORT_DATE = re.compile(r"^([0-9]{1,2})[-/.月]([0-9]{1,2})[日号]?$")


class ParseError(ValueError):
    """The text is not what was asked for; the message says what is wrong."""


def normalise_digits(text: str) -> str:
    """Turn full-width digits and separators (typed in a Chinese input mode) into ASCII."""
    return text.translate(_FULL_WIDTH)


def small_number(text: str, *, digits: int = NUMBER_DIGITS) -> int | None:
    """Return the number when the text is 1 to `digits` digits (ASCII or full-width), else None.

    `str.isdigit()` is true for superscripts and other scripts' digits that `int()` refuses or
    reads unexpectedly, and an unbounded run of digits is slow to convert: accept neither.
    """
    value = normalise_digits(text.strip())
    if 0 < len(value) <= digits and value.isascii() and value.isdigit():
        return int(value)
    return None


def parse_date(text: str, today: date) -> date:
    """Read 今天/昨天/前天, 11-20, 2026-11-20 or 11月20日 (no year means this year)."""
    value = normalise_digits(text.strip().replace(" ", ""))
    if value in RELATIVE_DAYS:
        return today - timedelta(days=RELATIVE_DAYS[value])
    full, short = _FULL_DATE.match(value), _SHORT_DATE.match(value)
    try:
        if full:
            return date(int(full[1]), int(full[2]), int(full[3]))
        if short:
            return date(today.year, int(short[1]), int(short[2]))
    except ValueError as exc:
        raise ParseError("no such day") from exc
    raise ParseError("not a date")


def hours_from_match(match: re.Match) -> float:
    """Turn one HOURS_PATTERN match into hours."""
    if match["minutes"]:
        return float(match["minutes"]) / 60
    if match["num"]:
        return float(match["num"])
    if match["halfonly"]:
        return 0.5
    return CHINESE_DIGITS[match["cn"]] + (0.5 if match["half"] else 0.0)


def parse_hours(text: str) -> float:
    """Read 2.5, 2.5h, 2.5小时, 150分钟, 两个半小时, 半小时 or 3个小时 as hours."""
    value = normalise_digits(text.strip().replace(" ", ""))
    if re.fullmatch(_NUMBER, value):
        return float(value)
    match = HOURS_PATTERN.fullmatch(value)
    if match is None:
        raise ParseError("not hours")
    return hours_from_match(match)


def hours_in_range(hours: float) -> bool:
    """Return True for 0.5–16 hours in half-hour steps."""
    return MIN_HOURS <= hours <= MAX_HOURS and float(hours * 2).is_integer()


def parse_count(text: str) -> int:
    """Read a count of items handled: 3, 3件, 处理3件."""
    value = normalise_digits(text.strip().replace(" ", ""))
    number = small_number(value)
    if number is not None:
        return number
    match = ITEMS_PATTERN.fullmatch(value)
    if match is None:
        raise ParseError("not a count")
    return int(match[1])


def meaningful_length(text: str) -> int:
    """Count letters, digits and CJK characters (emoji and punctuation do not count)."""
    return sum(1 for ch in text if ch.isalnum())


@dataclass(frozen=True)
class QuickParts:
    """What one quick-entry line says: hours, count and the remaining words."""

    hours: float
    items: int | None
    description: str


def parse_quick(text: str) -> QuickParts | None:
    """Split `2.5h 接待群众来访 处理3件` into hours, count and description (None: no hours)."""
    # One character for one: positions found in the normalised text hold in the original.
    match = HOURS_PATTERN.search(normalise_digits(text))
    if match is None:
        return None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    count = ITEMS_PATTERN.search(normalise_digits(rest))
    description = " ".join(rest.split())
    return QuickParts(hours_from_match(match), int(count[1]) if count else None, description)


def bigrams(text: str) -> set[str]:
    """Return the character pairs of the text's words (for keyword matching)."""
    words = re.findall(r"[\w]+", text)
    return {word[i : i + 2] for word in words for i in range(len(word) - 1)}
