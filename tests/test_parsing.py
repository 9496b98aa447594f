"""Pure parsers: hours, dates, counts and quick-entry lines."""

from __future__ import annotations

import time
from datetime import date

import pytest

from handlers.parsing import (
    ParseError,
    hours_in_range,
    meaningful_length,
    parse_count,
    parse_date,
    parse_hours,
    parse_quick,
    small_number,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("2.5", 2.5),
        ("2.5h", 2.5),
        ("2.5小时", 2.5),
        ("150分钟", 2.5),
        ("两个半小时", 2.5),
        ("半小时", 0.5),
        ("3个小时", 3.0),
        ("8 H", 8.0),
        ("2小时半", 2.5),
        ("两小时半", 2.5),
        ("1个半小时", 1.5),
        ("一个半钟头", 1.5),
        ("半个小时", 0.5),
        ("两个钟", 2.0),
        ("十二小时", 12.0),
        ("1小时30分", 1.5),
        ("1小时30分钟", 1.5),
        ("一小时三十分钟", 1.5),
        ("三小时零三十分", 3.5),
        ("1h30m", 1.5),
        ("1h 30min", 1.5),
        ("1h30mins", 1.5),
        ("2hours", 2.0),
        ("3 hrs", 3.0),
        ("九十分钟", 1.5),
        ("三十分钟", 0.5),
        ("45min", 0.75),
        ("１小时３０分", 1.5),
    ],
)
def test_hours_in_every_spelling(text, hours):
    assert parse_hours(text) == hours


@pytest.mark.parametrize(
    "text", ["", "abc", "👍", "2.5天", "--1", "1小时70分", "两个半小时30分", "30分", "1小时30"]
)
def test_unreadable_hours(text):
    with pytest.raises(ParseError):
        parse_hours(text)


@pytest.mark.parametrize(("hours", "ok"), [(0.5, True), (16, True), (25, False), (-1, False)])
def test_hours_range(hours, ok):
    assert hours_in_range(hours) is ok
    assert hours_in_range(2.7) is False


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("今天", TODAY),
        ("昨天", date(2026, 11, 22)),
        ("前天", date(2026, 11, 21)),
        ("11-20", date(2026, 11, 20)),
        ("2026-11-20", date(2026, 11, 20)),
        ("11月20日", date(2026, 11, 20)),
        ("2026年11月20日", date(2026, 11, 20)),
    ],
)
def test_dates(text, day):
    assert parse_date(text, TODAY) == day


@pytest.mark.parametrize("text", ["abc", "13-40", "2026-02-30", "下周一"])
def test_bad_dates(text):
    with pytest.raises(ParseError):
        parse_date(text, TODAY)


def test_counts_and_meaningful_length():
    assert parse_count("3") == 3 and parse_count("处理3件") == 3
    with pytest.raises(ParseError):
        parse_count("很多")
    assert meaningful_length("👍👍👍👍") == 0 and meaningful_length("接待群众") == 4


def test_quick_lines():
    parts = parse_quick("2.5h 接待群众来访 处理3件")
    assert (parts.hours, parts.items, parts.description) == (2.5, 3, "接待群众来访 处理3件")
    parts = parse_quick("信访接待 2小时 接待来访群众")
    assert (parts.hours, parts.items, parts.description) == (2.0, None, "信访接待 接待来访群众")
    assert parse_quick("接待来访群众") is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("7", 7),
        (" 12 ", 12),
        ("１２", 12),  # full-width, as a Chinese input mode types it
        ("²", None),  # isdigit() is true, int() refuses it
        ("١٢", None),  # other scripts' digits: not what a member means
        ("", None),
        ("1" * 7, None),  # longer than any list the bot shows
        ("1" * 5000, None),  # past Python's int() digit limit
        ("-1", None),
        ("1.5", None),
    ],
)
def test_small_numbers_are_ascii_or_full_width_digits_of_bounded_length(text, number):
    assert small_number(text) == number


def test_full_width_digits_are_read_in_hours_counts_dates_and_quick_lines():
    assert parse_hours("２．５小时") == 2.5
    assert parse_count("处理３件") == 3
    assert parse_date("１１－２０", TODAY) == date(2026, 11, 20)
    parts = parse_quick("２小时 接待群众：处理３件")
    assert (parts.hours, parts.items) == (2, 3)
    assert parts.description == "接待群众：处理３件"  # the member's own characters are kept


@pytest.mark.parametrize(
    "text",
    [
        "1" * 8000,
        "1." * 4000,
        "9" * 5000 + "小时",
        "处理" + "3" * 6000 + "件 2小时",
        "十" * 8000 + "小时",
        "一个半" * 3000,
        "1小时" * 3000 + "x",
        "1h3" * 4000,
    ],
)
def test_a_long_run_of_digits_is_rejected_quickly(text):
    started = time.perf_counter()
    parts = parse_quick(text)
    assert parts is None or parts.items is None or text.startswith("1小时")
    assert time.perf_counter() - started < 1  # was 16 s for 8,000 digits: quadratic


def test_a_score_in_the_description_is_not_taken_for_minutes():
    parts = parse_quick("考核得90分 2小时 整理材料")
    assert parts is not None and (parts.hours, parts.description) == (2.0, "考核得90分 整理材料")
    assert parse_quick("1小时30分 接待来访群众").hours == 1.5
    assert parse_quick("1小时75分 接待来访群众") is None
