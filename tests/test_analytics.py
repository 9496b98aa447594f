"""Metrics against known answers (the seeds' figures) and edge cases, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import insert
from sqlmodel import select

from backend.models import Absence, AbsenceKind, Department, Duty, DutyEntry, FunctionType
from backend.reports.analytics import (
    AnalyticsError,
    all_departments_metrics,
    department_breakdown,
    department_metrics,
    person_metrics,
    section_metrics,
    staffing_type_metrics,
    weekly_trend,
)
from backend.schedule.workdays import STATUTORY, WorkCalendar
from tests.support.analytics import (
    KNOWN_END,
    KNOWN_START,
    add_known_department,
    add_task_types,
)
from tests.support.org import add_long_catalogue, add_small_county


@pytest.fixture
def known(session):
    add_task_types(session)
    return add_known_department(session)


def breakdown_of(session, known, start=KNOWN_START, end=KNOWN_END, calendar=STATUTORY):
    return department_breakdown(
        session, department_id=known.department.id, start=start, end=end, calendar=calendar
    )


def add_entries(session, member, days, *, hours=8.0, duty=None, task_type="business"):
    """Log one entry per day for a member (on the first duty of their department)."""
    duty = (
        duty or session.exec(select(Duty).where(Duty.department_id == member.department_id)).first()
    )
    rows = [
        {
            "staff_id": member.id,
            "department_id": member.department_id,
            "section_id": member.section_id,
            "work_date": day,
            "duty_id": duty.id,
            "task_type_code": task_type,
            "hours": hours,
            "description": "检查辖区内餐饮单位后厨卫生",
            "status": "submitted",
            "flags": "",
        }
        for day in days
    ]
    session.execute(insert(DutyEntry), rows)
    session.commit()


def test_known_department_returns_the_seed_figures(session, known):
    figures = breakdown_of(session, known).department.figures

    assert (figures.duties_performed, figures.duties_total) == (94, 132)
    assert figures.duty_coverage.percent(2) == 71.21
    assert figures.duty_coverage.label() == "71.21%"
    assert figures.core_focus.percent(1) == 51.2
    assert figures.general_focus.percent(1) == 33.7
    assert figures.auxiliary_focus.percent(1) == 15.1
    assert figures.business_entries_share.percent(2) == 77.78
    assert figures.business_hours_share.percent(2) == 76.18


def test_known_department_counts_members_entries_and_reviews(session, known):
    figures = breakdown_of(session, known).department.figures

    assert figures.staff_count == 7  # the leader is left out, the institution's two counted
    assert (figures.entries, figures.hours) == (630, 5000.0)
    assert figures.reviewed_entries == 420
    assert figures.review_rate.label() == "66.67%"
    assert figures.non_core_entries_share.label() == "22.22%"
    assert figures.non_core_hours_share.label() == "23.82%"
    assert figures.participants == 7
    assert figures.task_type_entries_share("petition").label() == "7.94%"


def test_reporting_rate_and_workload_use_working_days(session, known):
    figures = breakdown_of(session, known).department.figures
    workdays = len(STATUTORY.workdays_between(KNOWN_START, KNOWN_END))

    assert figures.expected_days == 7 * workdays
    assert figures.standard_hours == 8.0 * 7 * workdays
    assert figures.workload_ratio.value == pytest.approx(5000 / (8 * 7 * workdays))
    assert 0 < figures.reported_days <= figures.expected_days
    assert figures.reporting_rate.value == figures.reported_days / figures.expected_days


def test_breakdowns_add_up_to_the_department(session, known):
    breakdown = breakdown_of(session, known)
    whole = breakdown.department.figures

    for groups in (breakdown.sections, breakdown.staffing_types, breakdown.people):
        assert sum(g.figures.entries for g in groups) == whole.entries
        assert sum(g.figures.hours for g in groups) == whole.hours
        assert sum(g.figures.expected_days for g in groups) == whole.expected_days
        assert sum(g.figures.buckets.total for g in groups) == whole.buckets.total
    names = [s.name for s in breakdown.sections]
    assert names == [
        "综合股",
        "产业发展股",
        "未分科室",
        "县中小企业服务中心·服务股",
        "县中小企业服务中心·未分科室",
    ]
    kinds = {s.name: s.figures.staff_count for s in breakdown.staffing_types}
    assert kinds == {"机关行政编制": 3, "事业编制": 2, "机关工勤编制": 1, "编外": 1}


def test_sections_measure_coverage_against_their_own_unit(session, known):
    sections = section_metrics(
        session,
        department_id=known.department.id,
        start=KNOWN_START,
        end=KNOWN_END,
        calendar=STATUTORY,
    )
    service = next(s for s in sections if s.name == "县中小企业服务中心·服务股")

    assert service.figures.duties_total == 20  # the institution's charter, not the bureau's 112
    assert service.figures.duties_performed <= 14


def test_person_with_no_section(session, known):
    people = person_metrics(
        session,
        department_id=known.department.id,
        start=KNOWN_START,
        end=KNOWN_END,
        calendar=STATUTORY,
    )
    by_name = {p.name: p for p in people}

    assert by_name["钱勇"].section_id is None
    assert by_name["钱勇"].section_name == "未分科室"
    assert by_name["陈涛"].section_name == "县中小企业服务中心·未分科室"
    assert by_name["钱勇"].figures.entries > 0
    assert "黄局长" not in by_name


def test_department_with_no_entries(session):
    county = add_small_county(session)
    add_long_catalogue(session)
    session.commit()
    civil = county["departments"][1]
    week = (date(2026, 11, 2), date(2026, 11, 8))

    figures = department_metrics(
        session, department_id=civil.id, start=week[0], end=week[1], calendar=STATUTORY
    ).figures

    assert (figures.staff_count, figures.entries, figures.hours) == (1, 0, 0.0)
    assert figures.reporting_rate.label() == "0.00%"
    assert figures.duty_coverage.label() == "0.00%"
    assert figures.review_rate.value is None
    assert figures.core_focus.label() == "—"
    assert figures.business_hours_share.percent() is None
    assert figures.non_core_participants_share.label() == "—"
    assert figures.buckets.counts == (1, 0, 0, 0)
    assert figures.share_5h_and_over.label() == "0.00%"


def test_an_empty_department_and_a_period_of_holidays(session):
    session.add(Department(name="县档案馆"))
    session.commit()
    archive = session.exec(select(Department)).one()
    golden_week = (date(2026, 10, 1), date(2026, 10, 7))

    figures = department_metrics(
        session,
        department_id=archive.id,
        start=golden_week[0],
        end=golden_week[1],
        calendar=STATUTORY,
    ).figures

    assert figures.expected_days == 0
    assert figures.reporting_rate.label() == "—"
    assert figures.duty_coverage.value is None
    assert figures.buckets.total == 0


def test_week_with_holidays_and_a_make_up_saturday(session):
    county = add_small_county(session)
    alice = county["staff"]["alice"]
    market = county["departments"][0]
    session.commit()
    # National Day week: Mon 5 to Wed 7 October are holidays, Saturday 10 October is worked.
    monday, sunday = date(2026, 10, 5), date(2026, 10, 11)
    add_entries(session, alice, [date(2026, 10, 5), date(2026, 10, 8), date(2026, 10, 10)])

    people = person_metrics(
        session, department_id=market.id, start=monday, end=sunday, calendar=STATUTORY
    )
    figures = next(p for p in people if p.name == "李晓燕").figures

    assert figures.expected_days == 3
    assert figures.reported_days == 2  # the holiday entry does not make up for 9 October
    assert figures.reporting_rate.label() == "66.67%"
    assert figures.hours == 24.0
    assert figures.workload_ratio.label() == "100.00%"
    assert figures.buckets.counts == (0, 0, 1, 0)  # 24 h over 3 working days: 8 h a day


def test_calendar_overrides_change_the_expected_days(session):
    county = add_small_county(session)
    alice = county["staff"]["alice"]
    session.commit()
    add_entries(session, alice, [date(2026, 10, 5), date(2026, 10, 8), date(2026, 10, 10)])
    calendar = WorkCalendar({date(2026, 10, 5): True})

    people = person_metrics(
        session,
        department_id=alice.department_id,
        start=date(2026, 10, 5),
        end=date(2026, 10, 11),
        calendar=calendar,
    )
    figures = next(p for p in people if p.name == "李晓燕").figures

    assert (figures.reported_days, figures.expected_days) == (3, 4)
    assert figures.reporting_rate.label() == "75.00%"


def test_member_who_joined_mid_month_counts_only_their_days(session):
    county = add_small_county(session)
    alice, bob = county["staff"]["alice"], county["staff"]["bob"]
    bob.joined_on = date(2026, 11, 16)
    session.add(bob)
    session.commit()
    november = STATUTORY.workdays_between(date(2026, 11, 1), date(2026, 11, 30))
    add_entries(session, alice, november)
    add_entries(session, bob, [day for day in november if day >= bob.joined_on], hours=6.0)

    people = person_metrics(
        session,
        department_id=alice.department_id,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        calendar=STATUTORY,
    )
    by_name = {p.name: p.figures for p in people}

    assert by_name["王建国"].expected_days == 11
    assert by_name["王建国"].reporting_rate.label() == "100.00%"
    assert by_name["王建国"].buckets.counts == (0, 1, 0, 0)  # 66 h over 11 days = 6 h
    assert by_name["李晓燕"].expected_days == 21
    assert by_name["陈静"].expected_days == 21 and by_name["陈静"].reported_days == 0


def test_leave_without_entries_is_not_expected_but_a_logged_trip_day_counts(session):
    county = add_small_county(session)
    alice, bob = county["staff"]["alice"], county["staff"]["bob"]
    session.add(
        Absence(
            staff_id=alice.id,
            kind=AbsenceKind.LEAVE,
            start_date=date(2026, 11, 4),
            end_date=date(2026, 11, 6),
        )
    )
    session.add(
        Absence(
            staff_id=bob.id,
            kind=AbsenceKind.TRIP,
            start_date=date(2026, 11, 2),
            end_date=date(2026, 11, 3),
        )
    )
    session.commit()
    add_entries(session, alice, [date(2026, 11, 2), date(2026, 11, 3)])
    add_entries(session, bob, [date(2026, 11, 3), date(2026, 11, 4)])

    people = person_metrics(
        session,
        department_id=alice.department_id,
        start=date(2026, 11, 2),
        end=date(2026, 11, 8),
        calendar=STATUTORY,
    )
    by_name = {p.name: p.figures for p in people}

    assert (by_name["李晓燕"].reported_days, by_name["李晓燕"].expected_days) == (2, 2)
    assert by_name["李晓燕"].reporting_rate.label() == "100.00%"
    # Bob logged on 3 November while away: that day counts; 2 November is excused.
    assert (by_name["王建国"].reported_days, by_name["王建国"].expected_days) == (2, 4)


def test_county_metrics_fold_institutions_into_their_department(session):
    county = add_small_county(session)
    add_known_department(session)
    add_entries(session, county["staff"]["frank"], [date(2026, 3, 3)], duty=_any_duty(session))

    metrics = all_departments_metrics(session, start=KNOWN_START, end=KNOWN_END, calendar=STATUTORY)
    by_name = {m.name: m.figures for m in metrics}

    assert set(by_name) == {"县工业和信息化局", "县市场监督管理局", "县民政局"}
    assert by_name["县工业和信息化局"].entries == 630
    assert by_name["县工业和信息化局"].duty_coverage.label() == "71.21%"
    assert by_name["县市场监督管理局"].entries == 1  # frank works in its institution
    assert by_name["县民政局"].entries == 0


def test_staffing_types_county_wide(session, known):
    kinds = staffing_type_metrics(
        session, department_id=None, start=KNOWN_START, end=KNOWN_END, calendar=STATUTORY
    )

    assert [k.name for k in kinds] == ["机关行政编制", "事业编制", "机关工勤编制", "编外"]
    assert sum(k.figures.entries for k in kinds) == 630


def test_weekly_trend_has_eight_monday_weeks_ending_with_the_given_day(session, known):
    points = weekly_trend(
        session, department_id=known.department.id, end=KNOWN_END, calendar=STATUTORY
    )

    assert len(points) == 8
    assert all(p.start.weekday() == 0 for p in points)
    assert points[-1].end == KNOWN_END and points[-1].start == date(2026, 5, 25)
    assert points[0].start == date(2026, 5, 25) - timedelta(weeks=7)
    week = breakdown_of(session, known, points[3].start, points[3].end).department.figures
    assert points[3].figures == week


def test_bad_requests_raise_chinese_errors(session, known):
    with pytest.raises(AnalyticsError, match="开始日期不能晚于结束日期"):
        breakdown_of(session, known, KNOWN_END, KNOWN_START)
    with pytest.raises(AnalyticsError, match="部门不存在"):
        department_metrics(
            session, department_id=99999, start=KNOWN_START, end=KNOWN_END, calendar=STATUTORY
        )
    with pytest.raises(AnalyticsError, match="周数"):
        weekly_trend(
            session, department_id=known.department.id, end=KNOWN_END, weeks=0, calendar=STATUTORY
        )


def _any_duty(session) -> Duty:
    lab = session.exec(select(Department).where(Department.name == "县食品药品检验所")).one()
    duty = Duty(
        department_id=lab.id, seq=1, title="负责食品检验检测", function_type=FunctionType.CORE
    )
    session.add(duty)
    session.commit()
    return duty
