"""Work patterns: a Tue–Sat service-hall member is reminded, counted and rated on their own days.

The week of 2026-11-23 (Monday) to 11-29; bob (办公室) works Tuesday to Saturday, alice is on the
office calendar. Rounds fire a few minutes after their configured time (reminder_rounds).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
from sqlmodel import Session, select

from backend.entries.review.flagging import compute_flags
from backend.entries.review.queries import Scope
from backend.entries.service import EntryFields, create_entry
from backend.models import Duty, DutyEntry, Section, Staff, WorkPattern
from backend.org import work_patterns
from backend.org.roster_import import import_roster
from backend.reports.analytics import department_breakdown
from backend.schedule.calendar import load_calendar, set_override
from backend.schedule.patterns import PatternCalendar, member_calendars
from backend.schedule.reminders import save_times
from backend.schedule.workdays import STATUTORY
from scheduled.reminder_rounds import STAGES, fire_time
from scheduled.reminders import run_reminders
from tests.support.chat import Member
from tests.support.excel import GOOD_ROSTER, filled_template
from tests.support.org import add_small_county, department_id

SATURDAY = date(2026, 11, 28)
TUESDAY_AFTER = date(2026, 12, 1)


def _at(stack, day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=stack.settings.timezone)


def _id(session: Session, userid: str) -> int:
    return session.exec(select(Staff.id).where(Staff.wecom_userid == userid)).one()


def _market_week(session: Session):
    """The market department's figures for the week of 11-23."""
    return department_breakdown(
        session,
        department_id=department_id(session, "县市场监督管理局"),
        start=date(2026, 11, 23),
        end=date(2026, 11, 29),
        calendar=load_calendar(session),
    )


def _id_of(stack, userid: str) -> int:
    with Session(stack.engine) as session:
        return _id(session, userid)


def _pattern(stack, userid: str, weekdays: str) -> None:
    with Session(stack.engine) as session:
        work_patterns.set_pattern(session, staff_id=_id(session, userid), weekdays=weekdays)
        session.commit()


def _exception(stack, userid: str, day: date, works: bool) -> None:
    with Session(stack.engine) as session:
        work_patterns.set_exception(session, staff_id=_id(session, userid), day=day, works=works)
        session.commit()


def _tick(stack, now: datetime) -> list[str]:
    stack.clock.frozen = now
    sent = [key for key in run_reminders(stack.engine, now=now) if key.startswith("reminder:")]
    stack.deliver()
    return sent


def _reminded_days(member: Member) -> list[str]:
    cards = [m["card"] for m in member.pushed_messages() if "card" in m]
    descs = [c["main_title"]["desc"] for c in cards if str(c["task_id"]).startswith("reminder")]
    return [re.search(r"\d{1,2}月\d{1,2}日", desc).group() for desc in descs]


def _notices(member: Member) -> list[str]:
    return [m["content"] for m in member.pushed_messages() if m["msgtype"] == "text"]


def test_a_tue_to_sat_member_is_reminded_on_their_own_days(stack):
    _pattern(stack, "bob", "周二至周六")
    bob, alice = Member(stack.emulator.url, "bob"), Member(stack.emulator.url, "alice")
    dave = Member(stack.emulator.url, "dave")
    # Friday 11-27's third reminder: Saturday 09:03 for bob, Monday 09:03 for the office.
    assert _tick(stack, _at(stack, SATURDAY, 9, 2)) == []
    assert _tick(stack, _at(stack, SATURDAY, 9, 3)) == ["reminder:2026-11-27:3~2026-11-28"]
    assert _tick(stack, _at(stack, SATURDAY, 10, 4)) == ["reminder:2026-11-27:notice~2026-11-28"]
    assert _tick(stack, _at(stack, SATURDAY, 16, 30)) == []
    assert _tick(stack, _at(stack, SATURDAY, 16, 31)) == ["reminder:2026-11-28:1"]
    assert _tick(stack, _at(stack, SATURDAY, 17, 32)) == ["reminder:2026-11-28:2"]
    assert _reminded_days(bob) == ["11月27日", "11月28日", "11月28日"]
    assert _reminded_days(alice) == []
    assert "王建国" in _notices(dave)[0] and "11月27日" in _notices(dave)[0]
    assert "李晓燕" not in _notices(dave)[0]

    # 谁没填 on Saturday lists only those who work that day.
    stack.clock.frozen = _at(stack, SATURDAY, 18, 0)
    reply = dave.says("谁没填")[0]
    assert "11月28日不是单位的工作日" in reply and "尚未填报（1人" in reply and "王建国" in reply
    assert "11月27日不是工作日" not in dave.says("谁没填 11-27")[0]
    assert "11月22日不是工作日" in dave.says("谁没填 11-22")[0]
    week = bob.says("本周")[0]
    assert "未填的工作日：11月24日、11月25日、11月26日、11月27日、11月28日" in week

    # Monday: the office's rounds; bob is not reminded (Monday is his day off).
    monday = date(2026, 11, 30)
    assert _tick(stack, _at(stack, monday, 9, 3)) == ["reminder:2026-11-27:3"]
    assert _tick(stack, _at(stack, monday, 10, 4)) == ["reminder:2026-11-27:notice"]
    assert _tick(stack, _at(stack, monday, 16, 31)) == ["reminder:2026-11-30:1"]
    assert _reminded_days(bob) == ["11月27日", "11月28日", "11月28日"]
    assert _reminded_days(alice) == ["11月27日", "11月30日"]

    # Tuesday: Saturday's third reminder and notice, and the office's for Monday, apart.
    assert _tick(stack, _at(stack, TUESDAY_AFTER, 9, 3)) == [
        "reminder:2026-11-28:3~2026-12-01",
        "reminder:2026-11-30:3",
    ]
    assert _tick(stack, _at(stack, TUESDAY_AFTER, 10, 4)) == [
        "reminder:2026-11-28:notice~2026-12-01",
        "reminder:2026-11-30:notice",
    ]
    assert _reminded_days(bob)[-1] == "11月28日" and len(_reminded_days(bob)) == 4
    saturday_notice = [t for t in _notices(dave) if "11月28日" in t]
    assert saturday_notice == [
        "【履职填报通报】县市场监督管理局：11月28日（周六）经三次提醒，仍有1人未填报履职记录："
        "王建国。"
    ]


def test_the_reporting_rate_counts_the_members_own_days(stack):
    _pattern(stack, "bob", "23456")
    with Session(stack.engine) as session:
        breakdown = _market_week(session)
    expected = {p.name: p.figures.expected_days for p in breakdown.people}
    assert expected["王建国"] == 5 and expected["李晓燕"] == 5
    assert breakdown.department.figures.expected_days == sum(expected.values())


def test_a_saturday_entry_counts_for_a_pattern_member_only(stack):
    _pattern(stack, "bob", "23456")
    bob = Member(stack.emulator.url, "bob")
    stack.clock.frozen = _at(stack, SATURDAY, 11, 0)
    bob.says("2小时 窗口接待群众办理业务")
    assert "不是工作日" not in bob.last_reply()  # Saturday is one of his days
    if "哪项职责" in bob.last_reply():
        bob.says("1")
    if "请核对" not in bob.last_reply():
        bob.says("确认")
    assert "已保存" in bob.says("确认")[0]
    with Session(stack.engine) as session:
        people = _market_week(session).people
    figures = next(p.figures for p in people if p.name == "王建国")
    assert (figures.expected_days, figures.reported_days) == (5, 1)
    alice = Member(stack.emulator.url, "alice")
    alice.says("2小时 窗口接待群众办理业务")
    assert "不是工作日" in alice.last_reply()  # an office member is asked
    alice.says("是")
    while "已保存" not in alice.last_reply():
        alice.says("1" if "哪项职责" in alice.last_reply() else "确认")
    with Session(stack.engine) as session:
        flags = dict(
            session.exec(
                select(Staff.wecom_userid, DutyEntry.flags).where(Staff.id == DutyEntry.staff_id)
            ).all()
        )
    assert "non_workday" not in flags["bob"] and "non_workday" in flags["alice"]
    with Session(stack.engine) as session:  # the review sweep agrees with the write path
        scope = Scope(SATURDAY, SATURDAY, (department_id(session, "县市场监督管理局"),))
        swept = {
            row.staff_id: flags for row, flags in compute_flags(session, scope, daily_limit=12)
        }
    assert "non_workday" not in swept[_id_of(stack, "bob")]
    assert "non_workday" in swept[_id_of(stack, "alice")]


def test_a_section_pattern_applies_to_members_without_their_own(stack):
    with Session(stack.engine) as session:
        office = session.exec(select(Section.id).where(Section.name == "办公室")).one()
        work_patterns.set_pattern(session, section_id=office, weekdays="2-6")
        work_patterns.set_pattern(session, staff_id=_id(session, "carol"), weekdays="1,3,5")
        session.commit()
        ids = {name: _id(session, name) for name in ("alice", "bob", "carol")}
        calendars = member_calendars(session, list(ids.values()), (SATURDAY, SATURDAY))
    assert calendars[ids["bob"]].is_workday(SATURDAY)
    assert not calendars[ids["carol"]].is_workday(SATURDAY)  # her own pattern wins
    assert calendars[ids["alice"]] is calendars.office
    sent = _tick(stack, _at(stack, SATURDAY, 16, 31))  # Friday's notice is still current
    assert sent == ["reminder:2026-11-27:notice~2026-11-28", "reminder:2026-11-28:1"]
    assert _reminded_days(Member(stack.emulator.url, "bob")) == ["11月28日"]
    assert _reminded_days(Member(stack.emulator.url, "carol")) == []


def test_exceptions_win_over_the_pattern(stack):
    _pattern(stack, "bob", "23456")
    _exception(stack, "bob", SATURDAY, works=False)
    _exception(stack, "bob", date(2026, 11, 30), works=True)  # works on Monday
    _exception(stack, "alice", SATURDAY, works=True)  # an office member works one Saturday
    # alice's next workday after Friday is now Saturday: Friday's notice (10:04) is still current.
    assert _tick(stack, _at(stack, SATURDAY, 16, 31)) == [
        "reminder:2026-11-27:notice~2026-11-28",
        "reminder:2026-11-28:1",
    ]
    bob, alice = Member(stack.emulator.url, "bob"), Member(stack.emulator.url, "alice")
    assert _reminded_days(bob) == [] and _reminded_days(alice) == ["11月28日"]
    assert _tick(stack, _at(stack, date(2026, 11, 30), 16, 31)) == [
        "reminder:2026-11-27:notice",
        "reminder:2026-11-28:notice",  # alice's Saturday, on the office's next workday
        "reminder:2026-11-30:1",
    ]
    assert _reminded_days(bob) == ["11月30日"]


def test_section_exceptions_yield_to_the_members(stack):
    with Session(stack.engine) as session:
        office = session.exec(select(Section.id).where(Section.name == "办公室")).one()
        work_patterns.set_exception(session, section_id=office, day=SATURDAY, works=True)
        work_patterns.set_exception(
            session, staff_id=_id(session, "carol"), day=SATURDAY, works=False
        )
        session.commit()
        ids = [_id(session, "bob"), _id(session, "carol")]
        calendars = member_calendars(session, ids, (SATURDAY, SATURDAY))
    assert calendars[ids[0]].is_workday(SATURDAY)
    assert not calendars[ids[1]].is_workday(SATURDAY)


def test_festivals_and_local_holidays_are_off_for_a_pattern(session):
    office = load_calendar(session)
    tue_sat = PatternCalendar(office, frozenset({2, 3, 4, 5, 6}))
    assert not tue_sat.is_workday(date(2026, 10, 3))  # National Day, a Saturday
    assert not tue_sat.is_workday(date(2026, 10, 6))  # National Day, a Tuesday
    assert tue_sat.is_workday(date(2026, 10, 8)) and tue_sat.is_workday(date(2026, 10, 10))
    assert tue_sat.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    mon_thu = PatternCalendar(office, frozenset({1, 2, 3, 4}))
    assert STATUTORY.is_workday(date(2026, 10, 10))  # the make-up Saturday (调休)
    assert not mon_thu.is_workday(date(2026, 10, 10))  # adds no day to a pattern
    weekend = PatternCalendar(office, frozenset({6, 7}))
    assert weekend.is_workday(date(2026, 11, 28)) and weekend.is_workday(date(2026, 11, 29))
    assert not weekend.is_workday(date(2026, 9, 26))  # Mid-autumn Festival, a Saturday
    assert weekend.workdays_between(date(2026, 11, 23), date(2026, 11, 29)) == [
        date(2026, 11, 28),
        date(2026, 11, 29),
    ]
    set_override(session, day=date(2026, 11, 28), is_workday=False, note="县里放假")
    local = PatternCalendar(load_calendar(session), frozenset({6, 7}))
    assert not local.is_workday(date(2026, 11, 28))


def test_a_member_gets_one_reminder_when_two_rounds_are_due_at_once(stack):
    times = {"first_at": "08:00", "second_at": "12:00", "third_at": "09:00", "notice_at": "11:00"}
    with Session(stack.engine) as session:
        save_times(session, department_id=None, values={**times, "review_deadline_days": "2"})
        session.commit()
    # Tuesday 09:05: Monday's third reminder (09:03) and Tuesday's first (08:01) both open.
    sent = _tick(stack, _at(stack, date(2026, 11, 24), 9, 5))
    assert sent == ["reminder:2026-11-23:3", "reminder:2026-11-24:1"]
    for userid in ("alice", "bob", "erin"):
        assert _reminded_days(Member(stack.emulator.url, userid)) == ["11月23日"]
    assert _tick(stack, _at(stack, date(2026, 11, 24), 9, 6)) == []


@pytest.mark.parametrize("stage", STAGES)
def test_no_round_fires_on_the_hour_or_half_hour(stage):
    for hour in (0, 9, 16, 23):
        for minute in range(60):
            moment = datetime(2026, 11, 24, hour, minute)
            fired = fire_time(moment, stage)
            assert fired.minute not in (0, 30)
            assert 0 < (fired - moment).total_seconds() <= 6 * 60


def test_the_roster_sets_and_clears_work_patterns(session):
    add_small_county(session)
    session.commit()
    rows = [
        [*GOOD_ROSTER[0], "", "", "", "周二至周六"],
        [*GOOD_ROSTER[1], "", "", "", "1、3、5"],
        [*GOOD_ROSTER[2], "", "", "", ""],
    ]
    report = import_roster(session, filled_template("roster", rows))
    assert not report.errors and report.created == 3
    patterns = {p.staff_id: p.weekdays for p in session.exec(select(WorkPattern))}
    assert patterns == {_id(session, "sunli"): "23456", _id(session, "zhouqiang"): "135"}
    assert import_roster(session, filled_template("roster", rows)).unchanged == 3
    rows[0][-1], rows[1][-1] = "标准", "2-6"
    again = import_roster(session, filled_template("roster", rows))
    assert again.updated == 2
    patterns = {p.staff_id: p.weekdays for p in session.exec(select(WorkPattern))}
    assert patterns == {_id(session, "zhouqiang"): "23456"}


@pytest.mark.parametrize("value", ["周八", "2-", "每周三次", "至周五"])
def test_a_bad_work_days_value_is_a_row_error(session, value):
    add_small_county(session)
    session.commit()
    report = import_roster(
        session, filled_template("roster", [[*GOOD_ROSTER[0], "", "", "", value]])
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "工作日")]
    assert "无法识别" in report.errors[0].reason
    assert session.exec(select(Staff).where(Staff.wecom_userid == "sunli")).first() is None


def test_the_pattern_service_refuses_bad_input(session):
    add_small_county(session)
    with pytest.raises(work_patterns.WorkPatternError, match="二者选一"):
        work_patterns.set_pattern(session, weekdays="23456")
    with pytest.raises(work_patterns.WorkPatternError, match="没有这名人员"):
        work_patterns.set_pattern(session, staff_id=9999, weekdays="23456")
    with pytest.raises(work_patterns.WorkPatternError, match="无法识别"):
        work_patterns.set_pattern(session, staff_id=_id(session, "bob"), weekdays="周八")
    assert work_patterns.weekdays_label("23456") == "周二至周六"
    assert work_patterns.weekdays_label("135") == "周一、周三、周五"


def test_rates_hold_when_nobody_in_the_department_is_on_the_office_calendar(stack):
    with Session(stack.engine) as session:
        market = department_id(session, "县市场监督管理局")
        members = session.exec(select(Staff).where(Staff.department_id == market)).all()
        for member in members:
            work_patterns.set_pattern(session, staff_id=member.id, weekdays="23456")
        session.commit()
        bob = next(m for m in members if m.wecom_userid == "bob")
        duty = session.exec(select(Duty).where(Duty.department_id == market)).first()
        fields = EntryFields(
            SATURDAY, duty.id, None, "business", 2.0, None, "窗口受理群众办理业务申请"
        )
        create_entry(session, staff=bob, fields=fields, client_key="t-saturday")
        session.commit()
        breakdown = _market_week(session)
    figures = next(p.figures for p in breakdown.people if p.name == "王建国")
    assert (figures.expected_days, figures.reported_days) == (5, 1)
