"""Splitting one message into its pieces of work, with the dates that apply to each."""

from __future__ import annotations

import time
from datetime import date

import pytest

from handlers.day_parsing import is_whole_day, split_day, weekday_before

WEDNESDAY = date(2026, 11, 25)


def _facts(text: str) -> list[tuple[str, float | None, int | None, str]]:
    return [
        (
            part.day.isoformat() if part.day else "?",
            part.facts.hours if part.has_hours else None,
            part.facts.items,
            part.facts.description,
        )
        for part in split_day(text, WEDNESDAY)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "上午接待群众来访2小时，处理3件；下午到企业检查3小时",
            [
                ("2026-11-25", 2.0, 3, "接待群众来访，处理3件"),
                ("2026-11-25", 3.0, None, "到企业检查"),
            ],
        ),
        (
            "昨天：\n1. 接待来访2h\n2. 整理信访材料1.5小时\n3. 参加局务会",
            [
                ("2026-11-24", 2.0, None, "接待来访"),
                ("2026-11-24", 1.5, None, "整理信访材料"),
                ("2026-11-24", None, None, "参加局务会"),
            ],
        ),
        (
            "周一接待来访2小时，周二下乡检查食品安全3小时半",
            [
                ("2026-11-23", 2.0, None, "接待来访"),
                ("2026-11-24", 3.5, None, "下乡检查食品安全"),
            ],
        ),
        (
            "11-20 接待群众1小时30分钟；11月21日 检查企业5家 2小时",
            [
                ("2026-11-20", 1.5, None, "接待群众"),
                ("2026-11-21", 2.0, 5, "检查企业5家"),
            ],
        ),
        (
            "今天的工作如下：\n上午开会两个小时，下午写材料三小时",
            [("2026-11-25", 2.0, None, "开会"), ("2026-11-25", 3.0, None, "写材料")],
        ),
        (
            "上周五 检查2小时。整理材料1小时",
            [("2026-11-20", 2.0, None, "检查")] * 1 + [("2026-11-20", 1.0, None, "整理材料")],
        ),
        (
            "（1）走访企业２小时\n（2）撰写报告一小时",
            [
                ("2026-11-25", 2.0, None, "走访企业"),
                ("2026-11-25", 1.0, None, "撰写报告"),
            ],
        ),
        (
            "2026-11-19 督查三小时；2026-13-40 开会1小时",
            [
                ("2026-11-19", 3.0, None, "督查"),
                ("?", 1.0, None, "开会"),
            ],
        ),
    ],
)
def test_a_message_splits_into_its_pieces(text, expected):
    assert _facts(text) == expected
    assert is_whole_day(split_day(text, WEDNESDAY))


@pytest.mark.parametrize(
    "text",
    [
        "2.5h 接待群众来访，处理3件",  # a comma without a second duration joins
        "2小时接待群众来访，上午和下午各一次",
        "考核得90分的整改材料 1.5小时",
        "信访接待 2.5小时 接待来访群众3人",
    ],
)
def test_one_piece_of_work_stays_one(text):
    parts = split_day(text, WEDNESDAY)
    assert len(parts) == 1 and parts[0].has_hours and not is_whole_day(parts)


def test_hours_are_not_read_as_dates():
    [part] = split_day("1.5小时 接待 11-2件", WEDNESDAY)
    assert part.facts.hours == 1.5 and part.day == WEDNESDAY and not part.dated


@pytest.mark.parametrize(
    ("weekday", "last_week", "expected"),
    [(0, False, 23), (2, False, 25), (4, False, 20), (6, False, 22), (7, False, 22), (4, True, 20)],
)
def test_weekdays_are_the_latest_on_or_before_today(weekday, last_week, expected):
    assert weekday_before(WEDNESDAY, weekday, last_week) == date(2026, 11, expected)


@pytest.mark.parametrize(
    "text",
    [
        "1" * 5000,
        "2小时，" * 3000,
        "上午" * 3000,
        "；" * 5000 + "2小时",
        "11-" * 3000,
        "周" * 5000,
        "一小时零" * 2000,
    ],
)
def test_hostile_messages_split_fast(text):
    started = time.perf_counter()
    split_day(text, WEDNESDAY)
    assert time.perf_counter() - started < 1.0
