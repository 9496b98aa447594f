"""Pure parsers for what members type: dates, hours, counts, one-line quick entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MIN_HOURS = 0.5
MAX_HOURS = 16.0
RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
CHINESE_DIGITS = {"零": 0, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
CHINESE_DIGITS |= {"七": 7, "八": 8, "九": 9}
# A Chinese numeral up to 99: 两, 十, 十二, 二十, 四十五.
_CN = "(?:[一二两三四五六七八九]?十[一二三四五六七八九]?|[零一两二三四五六七八九])"
# ASCII digits only, and never a piece of a longer number: a run of thousands of digits is then
# rejected in linear time instead of being tried from every position.
_NUMBER = r"(?<![0-9.])[0-9]{1,4}(?:\.[0-9]{1,3})?(?![0-9])"
_AMOUNT = rf"(?:{_NUMBER}|{_CN})"
_HOUR_UNIT = r"(?:小时|钟头|个钟|hours?|hrs?|h|H)"
_MINUTE_UNIT = r"(?:分钟|min|mins)"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．：－／", "0123456789.:-/")
NUMBER_DIGITS = 6
# Hours with an optional half or minutes after them (2小时, 两个半小时, 2小时半, 1小时30分,
# 1h30m, 一小时零五分钟), minutes alone (150分钟, 四十五分钟), or half an hour (半小时). A bare
# 分 or m counts only after an hour part, so "得90分" in a description is not a duration.
HOURS_PATTERN = re.compile(
    rf"(?P<h>{_AMOUNT})\s*个?\s*(?P<half>半)?\s*{_HOUR_UNIT}"
    rf"(?:\s*(?P<half_after>半)|\s*零?\s*(?P<m>{_AMOUNT})\s*(?:{_MINUTE_UNIT}|分|m)(?![a-z]))?"
    rf"|(?P<minutes>{_AMOUNT})\s*{_MINUTE_UNIT}"
    rf"|(?P<halfonly>半)\s*个?\s*{_HOUR_UNIT}",
)
ITEMS_PATTERN = re.compile(
    r"(?:处理|办理|办结|接待|受理)?\s*(?<![0-9])([0-9]{1,4})(?![0-9])\s*(?:件|个|起|次|人|家|户)"
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


def amount(text: str) -> float:
    """Return the value of an ASCII number or a Chinese numeral up to 99."""
    if text[0].isdigit():
        return float(text)
    if "十" not in text:
        return float(CHINESE_DIGITS[text])
    tens, _, ones = text.partition("十")
    return float(CHINESE_DIGITS[tens] * 10 if tens else 10) + (CHINESE_DIGITS[ones] if ones else 0)


def hours_from_match(match: re.Match) -> float:
    """Turn one HOURS_PATTERN match into hours (minutes of 60 or more are not a duration)."""
    if match["minutes"]:
        return amount(match["minutes"]) / 60
    if match["halfonly"]:
        return 0.5
    hours = amount(match["h"]) + (0.5 if match["half"] or match["half_after"] else 0.0)
    if match["m"]:
        minutes = amount(match["m"])
        if minutes >= 60 or match["half"]:
            raise ParseError("minutes out of range")
        hours += minutes / 60
    return hours


def parse_hours(text: str) -> float:
    """Read 2.5, 2.5h, 150分钟, 两个半小时, 2小时半, 1小时30分, 1h30m, 半小时 and the like."""
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
    try:
        hours = hours_from_match(match)
    except ParseError:
        return None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    count = ITEMS_PATTERN.search(normalise_digits(rest))
    description = " ".join(rest.split())
    return QuickParts(hours, int(count[1]) if count else None, description)


def bigrams(text: str) -> set[str]:
    """Return the character pairs of the text's words (for keyword matching)."""
    words = re.findall(r"[\w]+", text)
    return {word[i : i + 2] for word in words for i in range(len(word) - 1)}
