"""Quick entry in one line, and fifty members entering at the same time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from backend.demo.emulator_link import push_directory
from backend.models import DutyEntry, Staff
from tests.support.chat import Member
from tests.support.org import add_entry_extras, add_many_staff
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def petition(stack) -> int:
    """Give 县市场监督管理局 a petition duty; freeze the clock on a Monday."""
    with Session(stack.engine) as session:
        ids = add_entry_extras(session)
        session.commit()
    stack.clock.frozen = MONDAY
    return ids["petition_duty"]


def _entries(stack) -> list[DutyEntry]:
    with Session(stack.engine) as session:
        return list(session.exec(select(DutyEntry).order_by(DutyEntry.id)).all())


@pytest.mark.parametrize("line", ["2.5h 接待群众来访 处理3件", "信访接待 2.5小时 接待来访群众3人"])
def test_a_clear_line_needs_only_a_confirmation(stack, alice: Member, petition, line):
    summary = alice.says(line)[0]
    assert "请核对" in summary and "信访" in summary and "2.5小时" in summary
    assert "已保存" in alice.says("确认")[0]
    [entry] = _entries(stack)
    assert (entry.duty_id, entry.hours, entry.items) == (petition, 2.5, 3)
    assert entry.task_type_code == "petition" and entry.description


def test_an_unclear_duty_drops_into_the_form_with_the_rest_kept(stack, alice: Member, petition):
    assert "哪项职责" in alice.says("2小时 开展专项整治工作")[0]
    assert "任务类型" in alice.says("2")[0]
    assert "请核对" in alice.says("好")[0]
    alice.says("确认")
    [entry] = _entries(stack)
    assert entry.hours == 2 and entry.description == "开展专项整治工作"


def test_an_incomplete_line_asks_for_what_is_missing(stack, alice: Member, petition):
    assert "哪项职责" in alice.says("3小时")[0]
    assert "默认“信访投诉”" in alice.says("5")[0]
    assert "描述" in alice.says("好")[0]
    assert "请核对" in alice.says("接待来访群众，登记诉求")[0]
    alice.says("确认")
    assert _entries(stack)[0].hours == 3


def test_hours_out_of_range_are_asked_again(stack, alice: Member, petition):
    assert "工时" in alice.says("25小时 接待来访群众办理信访")[0]
    assert "请核对" in alice.says("8")[0]


def test_fifty_members_at_once(sqlite_stack):
    stack = sqlite_stack
    with Session(stack.engine) as session:
        add_entry_extras(session)
        userids = add_many_staff(session, 50)
        session.commit()
        push_directory(session, stack.emulator.url)
    stack.clock.frozen = MONDAY

    def enter(userid: str) -> list[str]:
        member = Member(stack.emulator.url, userid)
        member.says(f"2h 接待来访群众 编号{userid}")
        return member.says("确认")

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(enter, userids))
    assert all("已保存" in a[0] for a in answers)
    with Session(stack.engine) as session:
        rows = session.exec(
            select(DutyEntry, Staff).join(Staff, DutyEntry.staff_id == Staff.id)
        ).all()
    assert len(rows) == 50
    assert all(entry.description.endswith(staff.wecom_userid) for entry, staff in rows)
