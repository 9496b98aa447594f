"""Absences by chat: 请假 / 出差 for oneself, a reviewer for a colleague, cancelling."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from backend.models import Absence, AbsenceKind, Staff
from backend.schedule.reminders import missing_staff
from tests.support.chat import Member
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)


@pytest.fixture
def monday(sqlite_stack):
    """The stack's clock frozen on Monday 2026-11-23, 10:00."""
    sqlite_stack.clock.frozen = datetime(2026, 11, 23, 10, 0, tzinfo=sqlite_stack.settings.timezone)
    return sqlite_stack


def _absences(stack, userid: str) -> list[tuple]:
    with Session(stack.engine) as session:
        staff = session.exec(select(Staff).where(Staff.wecom_userid == userid)).one()
        rows = session.exec(select(Absence).where(Absence.staff_id == staff.id)).all()
        return [(r.kind, r.start_date, r.end_date, r.set_by_id == staff.id) for r in rows]


def _missing(stack, day: date) -> set[str]:
    with Session(stack.engine) as session:
        ids = list(session.exec(select(Staff.department_id).distinct()))
        return {m.wecom_userid for m in missing_staff(session, day=day, department_ids=ids)}


def test_leave_today_stops_reminders_for_today(monday):
    alice = Member(monday.emulator.url, "alice")
    assert "alice" in _missing(monday, date(2026, 11, 23))
    assert alice.says("请假 今天") == ["已登记请假：11月23日。这期间不会收到填报提醒。"]
    assert _absences(monday, "alice") == [
        (AbsenceKind.LEAVE, date(2026, 11, 23), date(2026, 11, 23), True)
    ]
    assert "alice" not in _missing(monday, date(2026, 11, 23))
    assert "alice" in _missing(monday, date(2026, 11, 24))


def test_business_trip_range(monday):
    bob = Member(monday.emulator.url, "bob")
    assert bob.says("出差 11-24至11-26") == [
        "已登记出差：11月24日至11月26日。这期间不会收到填报提醒。"
    ]
    assert bob.says("出差 明天到后天")[0].startswith("已登记出差：11月24日至11月25日")
    assert "bob" not in _missing(monday, date(2026, 11, 26))
    assert "bob" in _missing(monday, date(2026, 11, 27))


def test_reviewer_sets_an_absence_for_a_colleague(monday):
    carol = Member(monday.emulator.url, "carol")
    assert carol.says("请假 王建国 11-24") == [
        "已为王建国登记请假：11月24日。这期间不会提醒其填报。"
    ]
    assert _absences(monday, "bob") == [
        (AbsenceKind.LEAVE, date(2026, 11, 24), date(2026, 11, 24), False)
    ]
    # Another department's member is not hers to manage; a plain member manages nobody else.
    assert "没有找到“刘芳”" in carol.says("请假 刘芳 11-24")[0]
    assert Member(monday.emulator.url, "bob").says("请假 李晓燕 11-24") == [
        "只有审核人可以为他人登记请假或出差。"
    ]
    assert _absences(monday, "alice") == []


def test_cancel_an_absence(monday):
    alice = Member(monday.emulator.url, "alice")
    alice.says("出差 11-24至11-26")
    assert alice.says("取消出差 11-25") == ["已取消11月25日的请假/出差登记（1条）。"]
    assert _absences(monday, "alice") == []
    assert alice.says("取消请假 11-25") == ["11月25日没有请假或出差登记。"]


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("请假", "请这样登记"),
        ("请假 11月32日", "没有看懂日期“11月32日”"),
        ("出差 11-26至11-24", "结束日期早于开始日期"),
        ("出差 11-24至12-31至01-02", "没有看懂日期"),
        ("请假 2026-01-01", "只能登记31天内"),
        ("出差 11-24至2027-03-01", "一次最多登记92天"),
    ],
)
def test_bad_absences_get_a_clear_answer(monday, text, reply):
    assert reply in Member(monday.emulator.url, "alice").says(text)[0]
    assert _absences(monday, "alice") == []


def test_a_quick_entry_starting_with_a_trip_is_still_an_entry(monday):
    alice = Member(monday.emulator.url, "alice")
    assert (
        "请核对" in alice.says("出差检查食品经营户 2小时 处理3件")[0]
        or "哪项职责" in alice.last_reply()
    )
    assert _absences(monday, "alice") == []
