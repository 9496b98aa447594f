"""A whole day in one message: several entries, one confirmation, fixes by number."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from backend.models import DutyEntry, MonthClosure, Staff
from tests.support.chat import Member
from tests.support.org import add_entry_extras
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = datetime(2026, 11, 25, 18, 0, tzinfo=SHANGHAI)
DAY = (
    "上午接待群众来访，办理信访事项2小时，处理3件；"
    "下午开展食品生产经营监督检查3小时半\n"
    "晚上整理机关党建和精神文明建设材料1小时"
)


@pytest.fixture
def duties(stack) -> dict[str, int]:
    """Give 县市场监督管理局 its petition duty; freeze the clock on a Wednesday evening."""
    with Session(stack.engine) as session:
        ids = add_entry_extras(session)
        session.commit()
    stack.clock.frozen = WEDNESDAY
    return ids


def _entries(stack) -> list[DutyEntry]:
    with Session(stack.engine) as session:
        return list(session.exec(select(DutyEntry).order_by(DutyEntry.id)).all())


def test_a_whole_day_in_one_message_is_one_confirmation(stack, alice: Member, duties):
    summary = alice.says(DAY)[0]
    assert "共3条，6.5小时" in summary
    assert "1. 11月25日（周三）｜5. 负责信访接待" in summary and "｜3件" in summary
    assert "2. 11月25日（周三）｜1. 负责食品安全" in summary and "3.5小时" in summary
    assert "3. 11月25日（周三）｜4. 负责机关党建" in summary
    saved = alice.says("确认")[0]
    assert "已保存3条" in saved and "11月25日（周三）共填报6.5小时" in saved
    rows = _entries(stack)
    assert [(r.duty_id, r.hours, r.items) for r in rows] == [
        (duties["petition_duty"], 2.0, 3),
        (duties["food_duty"], 3.5, None),
        (rows[2].duty_id, 1.0, None),
    ]
    assert rows[0].task_type_code == "petition"
    assert rows[0].description == "接待群众来访，办理信访事项，处理3件"
    assert rows[1].description == "开展食品生产经营监督检查"
    assert {r.work_date for r in rows} == {date(2026, 11, 25)}


def test_dates_inside_the_message_apply_to_their_parts(stack, alice: Member, duties):
    summary = alice.says("周一 信访接待来访群众2小时；昨天：\n食品生产经营监督检查4小时")[0]
    assert "1. 11月23日（周一）" in summary and "2. 11月24日（周二）" in summary
    alice.says("确认")
    assert [r.work_date for r in _entries(stack)] == [date(2026, 11, 23), date(2026, 11, 24)]


def test_only_what_is_unclear_is_asked(stack, alice: Member, duties):
    question = alice.says("信访接待来访群众2小时；开展专项整治；上周二 食品生产监督检查 20小时")
    assert "第2条“开展专项整治”" in question[0] and "哪项职责" in question[0]
    assert "第2条“开展专项整治”" in alice.says("3")[0] and "工时" in alice.last_reply()
    assert "没有看懂工时" in alice.says("很久")[0]  # a bad answer keeps the question
    assert "第3条" in alice.says("1小时30分")[0] and "天的工作" in alice.last_reply()
    assert "工时" in alice.says("前天")[0]
    summary = alice.says("两个半小时")[0]
    assert "共3条，6小时" in summary and "3. 11月23日（周一）" in summary
    alice.says("确认")
    assert [(r.hours, r.work_date.day) for r in _entries(stack)] == [(2, 25), (1.5, 25), (2.5, 23)]


def test_fix_one_entry_by_number_and_drop_another(stack, alice: Member, duties):
    alice.says(DAY)
    assert "请重新发送第2条" in alice.says("修改 2")[0]
    summary = alice.says("食品生产经营监督检查 4小时 检查5家")[0]
    assert "共3条，7小时" in summary and "4小时｜5件" in summary
    summary = alice.says("删除 3")[0]
    assert "共2条，6小时" in summary and "党建" not in summary
    assert "编号应为1–2" in alice.says("修改 7")[0]
    assert "请重新发送第1条" in alice.says("1")[0]
    assert "共1条，4小时" in alice.says("删除")[0]
    assert "只剩这一条" in alice.says("删除 1")[0]
    alice.says("确认")
    [entry] = _entries(stack)
    assert (entry.hours, entry.items, entry.duty_id) == (4, 5, duties["food_duty"])


def test_a_repeated_confirmation_saves_once(stack, alice: Member, duties):
    alice.says("信访接待来访群众2小时；食品生产经营监督检查3小时")
    alice.says("确认")
    assert "没有听懂" in alice.says("确认")[0] or "填报" in alice.last_reply()
    assert len(_entries(stack)) == 2


def test_a_closed_month_refuses_all_and_keeps_the_form(stack, alice: Member, duties):
    with Session(stack.engine) as session:
        someone = session.exec(select(Staff.id)).first()
        session.add(MonthClosure(year_month="2026-11", closed_by=someone))
        session.commit()
    alice.says("信访接待来访群众2小时；食品生产经营监督检查3小时")
    assert "已结账" in alice.says("确认")[0]
    assert _entries(stack) == []
    assert "共1条" in alice.says("删除 2")[0]  # still at the confirmation


def test_too_many_pieces_are_refused(stack, alice: Member, duties):
    text = "；".join(f"接待来访群众第{n}批1小时" for n in range(11))
    assert "最多填报10项" in alice.says(text)[0]


def test_one_piece_with_a_date_is_the_single_form(stack, alice: Member, duties):
    summary = alice.says("昨天 信访接待来访群众2.5小时 处理3件")[0]
    assert "请核对" in summary and "11月24日" in summary
    alice.says("确认")
    [entry] = _entries(stack)
    assert entry.work_date == date(2026, 11, 24) and entry.items == 3
