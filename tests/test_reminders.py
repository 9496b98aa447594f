"""三提醒一通报 on a frozen clock through the 2026 National Day week and make-up Saturday 10-10."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from backend.demo.emulator_link import push_directory
from backend.models import Department, JobRun
from scheduled.reminders import run_reminders
from tests.support.chat import Member
from tests.support.org import _staff

# The configured times (09:00, 10:00, 16:30, 17:30) plus each stage's spread (reminder_rounds).
TICKS = [
    time(9, 3),
    time(9, 40),
    time(10, 4),
    time(12, 0),
    time(16, 31),
    time(17, 0),
    time(17, 32),
    time(20, 0),
]


def _at(stack, day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=stack.settings.timezone)


def _tick(stack, now: datetime) -> list[str]:
    sent = run_reminders(stack.engine, now=now)
    stack.deliver()
    return sent


def _cards(member: Member) -> list[str]:
    """Return the reminder cards' lines the member got (not the form's own cards)."""
    return [m["card"]["main_title"]["desc"] for m in _reminder_messages(member)]


def _reminder_messages(member: Member) -> list[dict]:
    return [
        m
        for m in member.pushed_messages()
        if str((m.get("card") or {}).get("task_id", "")).startswith(("reminder", "review"))
    ]


def _day_of(card_text: str) -> str:
    return re.search(r"\d{1,2}月\d{1,2}日（周.）", card_text).group()


def _texts(member: Member) -> list[str]:
    return [m["content"] for m in member.pushed_messages() if m["msgtype"] == "text"]


def _add_civil_head(stack) -> None:
    with Session(stack.engine) as session:
        civil = session.exec(select(Department).where(Department.name == "县民政局")).one()
        _staff(session, "gina", "孙丽", civil, None, head=True)
        session.commit()
        push_directory(session, stack.emulator.url)


def _log_for_reminded_day(member: Member) -> None:
    """Press 立即填报 on the latest reminder card and finish the form."""
    card = _reminder_messages(member)[-1]["card"]
    key = card["button_list"][0]["key"]
    assert (
        "哪项职责"
        in member.sends_event("template_card_event", event_key=key, task_id=card["task_id"])[0]
    )
    member.says("1")
    member.says("好")
    member.says("2")
    member.says("跳过")
    assert "请核对" in member.says("检查辖区食品经营户十二家，督促整改两家")[0]
    assert "已保存" in member.says("确认")[0]


@pytest.fixture
def walk(stack):
    """Members, the civil bureau's head, and a walk through 2026-09-30 … 2026-10-12."""
    _add_civil_head(stack)
    zone = stack.settings.timezone
    members = {
        name: Member(stack.emulator.url, name)
        for name in ("alice", "bob", "carol", "dave", "erin", "frank", "gina")
    }
    stack.clock.frozen = datetime(2026, 9, 30, 11, 0, tzinfo=zone)
    assert "已登记出差：10月8日至10月9日" in members["erin"].says("出差 10-08至10-09")[0]
    members["alice"].says("2小时 检查食品经营户 处理3件")
    assert "已保存" in members["alice"].says("确认")[0]
    return members


def test_national_day_week_reminders(stack, walk):
    m = walk
    sent_by_day: dict[date, list[str]] = {}
    day = date(2026, 9, 30)
    while day <= date(2026, 10, 12):
        for moment in TICKS:
            now = _at(stack, day, moment)
            stack.clock.frozen = now
            keys = [k for k in _tick(stack, now) if k.startswith("reminder:")]
            sent_by_day.setdefault(day, []).extend(keys)
            if day == date(2026, 10, 8) and moment == time(9, 3):
                _log_for_reminded_day(m["bob"])  # bob logs 9-30 late, between r3 and the notice
        day += timedelta(days=1)

    assert sent_by_day[date(2026, 9, 30)] == [
        "reminder:2026-09-29:3",
        "reminder:2026-09-29:notice",
        "reminder:2026-09-30:1",
        "reminder:2026-09-30:2",
    ]
    for holiday in range(1, 8):
        assert sent_by_day[date(2026, 10, holiday)] == []
    assert sent_by_day[date(2026, 10, 11)] == []
    assert sent_by_day[date(2026, 10, 8)] == [
        "reminder:2026-09-30:3",
        "reminder:2026-09-30:notice",
        "reminder:2026-10-08:1",
        "reminder:2026-10-08:2",
    ]
    assert sent_by_day[date(2026, 10, 10)] == [
        "reminder:2026-10-09:3",
        "reminder:2026-10-09:notice",
        "reminder:2026-10-10:1",
        "reminder:2026-10-10:2",
    ]
    assert sent_by_day[date(2026, 10, 12)][:2] == [
        "reminder:2026-10-10:3",
        "reminder:2026-10-10:notice",
    ]

    # 9-29's third reminder opens the walk; then three per workday, two so far for 10-12.
    workdays = ["9月30日（周三）", "10月8日（周四）", "10月9日（周五）", "10月10日（周六）"]
    expected = [
        "9月29日（周二）",
        *(d for d in workdays for _ in range(3)),
        "10月12日（周一）",
        "10月12日（周一）",
    ]
    assert [_day_of(c) for c in _cards(m["bob"])] == expected
    alice = [_day_of(c) for c in _cards(m["alice"])]
    assert alice == [d for d in expected if not d.startswith("9月30日")]
    erin = [_day_of(c) for c in _cards(m["erin"])]
    assert erin == [d for d in expected if not d.startswith(("10月8日", "10月9日"))]
    assert _cards(m["dave"]) == [] and _cards(m["gina"]) == []

    dave = _texts(m["dave"])
    first = [t for t in dave if "9月30日（周三）" in t]
    assert first == [
        "【履职填报通报】县市场监督管理局：9月30日（周三）经三次提醒，仍有1人未填报履职记录：陈静。",
        "【履职填报通报】县食品药品检验所：9月30日（周三）经三次提醒，仍有1人未填报履职记录：赵磊。",
    ]
    gina = _texts(m["gina"])
    assert any("县民政局：9月30日（周三）" in t and "刘芳" in t for t in gina)
    assert not any("10月8日" in t or "10月9日" in t for t in gina if "履职填报通报" in t)


def test_reviewers_are_reminded_of_entries_waiting_past_the_deadline(stack, walk):
    m = walk
    for day in (date(2026, 10, 8), date(2026, 10, 9)):
        for moment in TICKS:
            _tick(stack, _at(stack, day, moment))
    assert not any("审核" in c for c in _cards(m["carol"]) if "10月8日" in c)
    review_cards = [c for c in _cards(m["carol"]) if "未审核" in c]
    assert len(review_cards) == 2  # 10-09 16:30 and 17:30: alice's 9-30 entry is 2 workdays old
    _tick(stack, _at(stack, date(2026, 10, 10), time(9, 3)))
    _tick(stack, _at(stack, date(2026, 10, 10), time(10, 4)))
    assert len([c for c in _cards(m["carol"]) if "未审核" in c]) == 3
    notices = [t for t in _texts(m["dave"]) if "履职审核通报" in t]
    assert notices == [
        "【履职审核通报】县市场监督管理局：经三次提醒，截至10月9日（周五）"
        "仍有超过2个工作日未审核的记录：陈静（1条）。"
    ]
    # The button starts the chat review at once.
    card = _reminder_messages(m["carol"])[-1]["card"]
    reply = m["carol"].sends_event(
        "template_card_event", event_key=card["button_list"][0]["key"], task_id=card["task_id"]
    )
    assert "1 条未标记的记录待审核" in reply[0]


def test_each_round_is_sent_once_however_many_ticks(stack, walk):
    now = _at(stack, date(2026, 9, 30), time(16, 31))
    assert "reminder:2026-09-30:1" in _tick(stack, now)
    assert _tick(stack, now + timedelta(seconds=30)) == []
    assert len(walk["bob"].pushed_messages()) == 1
    with Session(stack.engine) as session:
        run = session.get(JobRun, "reminder:2026-09-30:1")
        assert run.status == "done" and run.detail == "4 reminded"  # bob, carol, erin, frank


def test_a_round_missed_while_down_is_caught_up_once_only_while_current(stack, walk):
    # Down since 09:00: on start at 17:45 the first round is past and the second is current;
    # 9-29's notice (due 10:00) is still current today, so it goes out late but once.
    assert _tick(stack, _at(stack, date(2026, 9, 30), time(17, 45))) == [
        "reminder:2026-09-29:notice",
        "review:2026-09-29:notice",
        "reminder:2026-09-30:2",
        "review:2026-09-30:2",
    ]
    assert [_day_of(c) for c in _cards(walk["bob"])] == ["9月30日（周三）"]
    assert "下班前" in _cards(walk["bob"])[0]
    assert _tick(stack, _at(stack, date(2026, 9, 30), time(17, 46))) == []
    # Down over night: 9-30's third round (10-08 09:00) is sent at 09:20, not the late second.
    assert _tick(stack, _at(stack, date(2026, 10, 8), time(9, 20)))[:1] == ["reminder:2026-09-30:3"]
