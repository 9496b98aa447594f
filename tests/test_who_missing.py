"""谁没填 over the emulator: a head sees who in the unit and its institutions has not logged."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from backend.models import Absence, Staff
from tests.support.chat import Member
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = datetime(2026, 11, 25, 18, 0, tzinfo=SHANGHAI)


def _away(stack, userid: str, day: date) -> None:
    with Session(stack.engine) as session:
        member = session.exec(select(Staff).where(Staff.wecom_userid == userid)).one()
        session.add(Absence(staff_id=member.id, start_date=day, end_date=day, kind="leave"))
        session.commit()


def test_a_head_sees_who_has_not_logged_today(stack, alice: Member):
    stack.clock.frozen = WEDNESDAY
    alice.says("2小时 开展食品安全监督检查")
    if "哪项职责" in alice.last_reply():
        alice.says("1")
    alice.says("确认")
    _away(stack, "carol", WEDNESDAY.date())
    dave = Member(stack.emulator.url, "dave")
    reply = dave.says("谁没填")[0]
    assert "11月25日尚未填报（2人" in reply
    assert "县市场监督管理局：王建国" in reply and "县食品药品检验所：赵磊" in reply
    assert "李晓燕" not in reply and "陈静" not in reply and "张伟" not in reply
    assert "刘芳" not in reply  # another department


def test_days_weekends_and_bad_input(stack):
    stack.clock.frozen = WEDNESDAY
    dave = Member(stack.emulator.url, "dave")
    assert "11月24日尚未填报（4人" in dave.says("谁没填 昨天")[0]
    assert "11月22日不是工作日" in dave.says("谁没填 11-22")[0]
    assert "没有看懂日期" in dave.says("谁没填 明年")[0]
    assert "没有看懂日期" in dave.says("谁没填 12-31")[0]  # a later day
    assert "没有看懂日期" in dave.says("谁没填 " + "<a>" * 50)[0]


def test_only_heads_may_ask(stack, alice: Member):
    stack.clock.frozen = WEDNESDAY
    assert "部门负责同志" in alice.says("谁没填")[0]


def test_my_week_leaves_out_absences_and_holidays_and_shows_flags(stack, alice: Member):
    from backend.entries.review import rules
    from backend.models import DutyEntry
    from backend.schedule.calendar import set_override

    stack.clock.frozen = WEDNESDAY
    _away(stack, "alice", date(2026, 11, 23))
    with Session(stack.engine) as session:
        set_override(session, day=date(2026, 11, 24), is_workday=False, note="调休")
        session.commit()
    alice.says("2小时 开展食品安全监督检查")
    if "哪项职责" in alice.last_reply():
        alice.says("1")
    alice.says("确认")
    with Session(stack.engine) as session:
        entry = session.exec(select(DutyEntry)).one()
        entry.flags = f"{rules.SHORT},{rules.VAGUE}"
        session.add(entry)
        session.commit()
    reply = alice.says("本周")[0]
    assert "工作日都已填报" in reply  # 23rd away, 24th a day off, 25th logged
    assert "提示：描述过短，未写明做了什么、结果如何；描述空泛" in reply
