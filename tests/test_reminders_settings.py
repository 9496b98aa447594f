"""Reminder times: global and per department, from the console; rounds follow them."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select

from backend.models import Department
from backend.schedule.reminders import DEFAULT_TIMES, department_groups, global_times
from scheduled.reminders import run_reminders
from tests.support.chat import Member
from tests.support.console import add_account, login_client

TIMES = {"first_at": "16:00", "second_at": "17:00", "third_at": "09:30", "notice_at": "11:00"}


@pytest.fixture
def admin(sqlite_stack):
    add_account(sqlite_stack.engine, "admin", "admin-pass-123", "admin")
    client = sqlite_stack.app.test_client()
    return client, login_client(client, "admin", "admin-pass-123")


def _civil(stack) -> int:
    with Session(stack.engine) as session:
        return session.exec(select(Department.id).where(Department.name == "县民政局")).one()


def _at(stack, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=stack.settings.timezone)


def test_a_department_with_its_own_times_is_reminded_at_them(sqlite_stack, admin):
    client, token = admin
    civil = _civil(sqlite_stack)
    data = {"csrf_token": token, "department_id": str(civil), "review_deadline_days": "3", **TIMES}
    assert client.post("/console/schedule/reminders", data=data).status_code == 302
    with Session(sqlite_stack.engine) as session:
        groups = department_groups(session)
        assert global_times(session) == DEFAULT_TIMES
    assert [len(ids) for ids in groups.values()] == [2, 1]

    sent = run_reminders(sqlite_stack.engine, now=_at(sqlite_stack, 16, 5))
    suffix = "@1600-1700-0930-1100-3"
    assert "reminder:2026-11-24:1" + suffix in sent
    assert "reminder:2026-11-24:1" not in sent
    sqlite_stack.deliver()
    assert len(Member(sqlite_stack.emulator.url, "erin").pushed_messages()) == 1
    assert Member(sqlite_stack.emulator.url, "bob").pushed_messages() == []
    assert "reminder:2026-11-24:1" in run_reminders(
        sqlite_stack.engine, now=_at(sqlite_stack, 16, 31)
    )

    page = client.get("/console/schedule/reminders").get_data(as_text=True)
    assert 'value="09:30"' in page and "改用全局" in page
    client.post(f"/console/schedule/reminders/{civil}/clear", data={"csrf_token": token})
    with Session(sqlite_stack.engine) as session:
        assert [len(ids) for ids in department_groups(session).values()] == [3]


def test_global_times_change_every_department(sqlite_stack, admin):
    client, token = admin
    data = {"csrf_token": token, "review_deadline_days": "2", **TIMES}
    assert client.post("/console/schedule/reminders", data=data).status_code == 302
    sent = run_reminders(sqlite_stack.engine, now=_at(sqlite_stack, 16, 1))
    assert "reminder:2026-11-24:1" in sent
    assert "reminder:2026-11-24:2" not in run_reminders(
        sqlite_stack.engine, now=_at(sqlite_stack, 17, 1)
    )
    assert "reminder:2026-11-24:2" in run_reminders(
        sqlite_stack.engine, now=_at(sqlite_stack, 17, 2)
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_at": "25:00"}, "时间“25:00”格式不对"),
        ({"second_at": "15:00"}, "第二次提醒须晚于第一次提醒"),
        ({"notice_at": "09:00"}, "通报时间须晚于次日的第三次提醒"),
        ({"review_deadline_days": "0"}, "审核期限请填1–10之间的整数"),
        ({"review_deadline_days": "两天"}, "审核期限请填1–10之间的整数"),
    ],
)
def test_bad_times_are_refused(sqlite_stack, admin, change, message):
    client, token = admin
    data = {"csrf_token": token, "review_deadline_days": "2", **TIMES, **change}
    response = client.post("/console/schedule/reminders", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with Session(sqlite_stack.engine) as session:
        assert global_times(session) == DEFAULT_TIMES
