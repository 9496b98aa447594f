"""The demo county: counts, determinism, plausible entries, and the working-day calendar."""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from backend.db import make_engine
from backend.demo import seed_demo
from backend.demo.county import route_groups_for_channel
from backend.ledger import service as ledger_service
from backend.models import (
    ApiToken,
    ChatTargetKind,
    Conversation,
    Department,
    DepartmentKind,
    Duty,
    DutyEntry,
    EntryStatus,
    KeyTask,
    KeyTaskDuty,
    MonthClosure,
    Role,
    Staff,
    TaskType,
)
from backend.models.evaluation import (
    EvaluationRound,
    IndicatorTree,
    RoundResult,
    RoundStatus,
    RoundUnit,
)
from backend.models.ledger import Finding, FindingStatus
from backend.models.surveys import Survey, SurveyResponse
from backend.schedule.workdays import is_workday, workdays_between
from backend.staffing import queries as queries_staffing

END = date(2026, 11, 20)
SEED = 11


def _new_engine(folder):
    engine = make_engine(f"sqlite:///{folder / 'demo.db'}")
    SQLModel.metadata.create_all(engine)
    return engine


def _seed(engine, **options):
    started = time.perf_counter()
    with Session(engine) as session:
        summary = seed_demo(session, seed=SEED, end_date=END, **options)
        session.commit()
    return summary, time.perf_counter() - started


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """One seeded county shared by the read-only tests, with how long seeding took."""
    engine = _new_engine(tmp_path_factory.mktemp("county"))
    summary, seconds = _seed(engine)
    yield engine, summary, seconds
    engine.dispose()


@pytest.fixture
def session(county):
    with Session(county[0]) as session:
        yield session


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _entries(session) -> list[DutyEntry]:
    return list(session.exec(select(DutyEntry)))


# Counts and organisation


def test_the_summary_matches_the_pilot_county(county, session):
    _, summary, _ = county
    assert (summary.departments, summary.offices, summary.institutions) == (13, 1, 25)
    assert summary.staff == 300 == _count(session, Staff)
    assert 230 <= summary.duties <= 300
    assert summary.duties == _count(session, Duty)
    assert summary.key_tasks == 187 == _count(session, KeyTask, KeyTask.year == END.year)
    assert summary.entries == _count(session, DutyEntry) > 15_000
    assert _count(session, Department) == 39
    assert _count(session, TaskType) == 5
    assert "部门 13 个" in str(summary)


def test_seeding_takes_a_few_seconds(county):
    assert county[2] < 10


def test_each_department_has_one_principal_head_and_a_reviewer(session):
    departments = session.exec(select(Department).where(col(Department.parent_id).is_(None)))
    for department in departments:
        staff = session.exec(select(Staff).where(Staff.department_id == department.id)).all()
        heads = [s for s in staff if s.is_principal_head]
        assert len(heads) == 1, department.name
        assert heads[0].is_leader and heads[0].role == Role.HEAD
        assert heads[0].post in {"局长", "主任"}
        assert 1 <= sum(s.is_leader and not s.is_principal_head for s in staff) <= 2
        checkers = [s for s in staff if s.role in {Role.REVIEWER, Role.ADMIN}]
        assert len(checkers) == 1 and not checkers[0].is_leader, department.name
    admins = session.exec(select(Staff).where(Staff.role == Role.ADMIN)).all()
    assert [a.department_id for a in admins] == [_office(session).id]


def _office(session) -> Department:
    return session.exec(select(Department).where(Department.short_name == "县委编办")).one()


def test_institutions_hang_under_departments_and_share_their_group(session):
    units = session.exec(select(Department)).all()
    institutions = [u for u in units if u.kind == DepartmentKind.INSTITUTION]
    departments = [u for u in units if u.kind == DepartmentKind.DEPARTMENT]
    assert len(institutions) == 25
    assert all(u.parent_id in {d.id for d in departments} for u in institutions)
    assert all(u.chat_target is None and u.chat_target_kind is None for u in institutions)
    kinds = Counter(d.chat_target_kind for d in departments)
    assert kinds[ChatTargetKind.WEBHOOK] == round(len(departments) * 2 / 3)
    appchats = [d for d in departments if d.chat_target_kind == ChatTargetKind.APPCHAT]
    assert all(d.chat_target == f"dept{d.wecom_department_id}" for d in appchats)
    wecom_ids = sorted(u.wecom_department_id for u in units)
    assert wecom_ids == list(range(2, 2 + len(units)))


def test_long_connection_mode_moves_the_app_group_chats_to_the_bot_and_back(county):
    with Session(county[0]) as session:
        appchats = {
            d.id: d.chat_target
            for d in session.exec(select(Department)).all()
            if d.chat_target_kind == ChatTargetKind.APPCHAT
        }
        assert route_groups_for_channel(session, "longconn") == len(appchats)
        moved = [session.get_one(Department, unit_id) for unit_id in appchats]
        assert all(d.chat_target_kind == ChatTargetKind.BOT for d in moved)
        assert all(d.chat_target == appchats[d.id] for d in moved)  # the same group, now the bot's
        keys = [d.chat_webhook_key for d in moved]
        assert all(keys) and len(set(keys)) == len(keys)  # each group's own push key for files
        assert route_groups_for_channel(session, "longconn") == 0  # a restart moves nothing
        assert route_groups_for_channel(session, "callback") == len(appchats)
        assert all(d.chat_target_kind == ChatTargetKind.APPCHAT for d in moved)
        assert not any(d.chat_webhook_key for d in moved)
        session.rollback()


def test_every_unit_has_sections_and_staff_with_readable_unique_userids(session):
    staff = session.exec(select(Staff)).all()
    userids = [s.wecom_userid for s in staff]
    assert len(set(userids)) == len(userids)
    assert all(u.isascii() and u.isalnum() and len(u) <= 64 for u in userids)
    assert all(2 <= len(s.name) <= 4 for s in staff)
    by_unit = Counter(s.department_id for s in staff)
    assert set(by_unit) == set(session.exec(select(Department.id)))
    assert all(s.section_id is not None for s in staff if not s.is_leader)
    assert set(Counter(s.staffing_type for s in staff)) == {
        "administrative",
        "institution",
        "logistics",
        "non_established",
    }
    assert 5 <= sum(s.public_facing for s in staff) <= 60
    assert any(s.joined_on > END - timedelta(weeks=10) for s in staff)


# Duties and key tasks


def test_function_types_follow_the_pilot_shares(session):
    kinds = Counter(session.exec(select(Duty.function_type)))
    total = sum(kinds.values())
    for kind, target in (("core", 45), ("general", 44), ("auxiliary", 11)):
        assert abs(kinds[kind] * 100 / total - target) < 3, kind


def test_duties_are_numbered_per_unit_and_carry_default_task_types(session):
    duties = session.exec(select(Duty)).all()
    by_unit = defaultdict(list)
    for duty in duties:
        by_unit[duty.department_id].append(duty.seq)
    assert all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in by_unit.values())
    defaults = {d.default_task_type_code for d in duties}
    assert {"party", "finance_hr", "petition"} <= defaults
    party = [d for d in duties if "党的建设" in d.title]
    assert party and all(d.default_task_type_code == "party" for d in party)
    assert 0 < sum(d.standard_hours is not None for d in duties) < len(duties)


def test_each_key_task_serves_one_to_three_duties_of_its_department(session):
    links = Counter(session.exec(select(KeyTaskDuty.key_task_id)))
    assert len(links) == 187 and set(links.values()) <= {1, 2, 3}
    rows = session.exec(
        select(KeyTask.department_id, Duty.department_id, Department.parent_id)
        .join(KeyTaskDuty, KeyTaskDuty.key_task_id == KeyTask.id)
        .join(Duty, Duty.id == KeyTaskDuty.duty_id)
        .join(Department, Department.id == Duty.department_id)
    )
    assert all(task_unit in {duty_unit, parent} for task_unit, duty_unit, parent in rows)


# Entries


def test_no_entry_falls_on_a_day_off(session):
    days = set(session.exec(select(DutyEntry.work_date).distinct()))
    assert all(is_workday(day) for day in days)
    national_day = {date(2026, 10, 1) + timedelta(days=i) for i in range(7)}
    assert not days & (national_day | {date(2026, 9, 25)})
    assert {date(2026, 9, 20), date(2026, 10, 10)} <= days  # make-up working days
    assert max(days) <= END


def test_leaders_log_nothing_and_newcomers_only_after_joining(session):
    rows = session.exec(
        select(Staff.is_leader, Staff.joined_on, DutyEntry.work_date).join(
            DutyEntry, DutyEntry.staff_id == Staff.id
        )
    ).all()
    assert not any(leader for leader, _, _ in rows)
    assert all(day >= joined for _, joined, day in rows)


def test_entries_use_the_members_unit_and_catalogue(session):
    rows = session.exec(
        select(
            DutyEntry.department_id,
            DutyEntry.section_id,
            Staff.department_id,
            Staff.section_id,
            Duty.department_id,
            Department.parent_id,
        )
        .join(Staff, Staff.id == DutyEntry.staff_id)
        .join(Duty, Duty.id == DutyEntry.duty_id)
        .join(Department, Department.id == Staff.department_id)
    ).all()
    for unit, section, member_unit, member_section, duty_unit, parent in rows:
        assert (unit, section) == (member_unit, member_section)
        assert duty_unit in {unit, parent}
    assert set(session.exec(select(DutyEntry.source).distinct())) == {"demo"}


def test_hours_are_half_hour_steps_and_every_daily_bucket_is_used(session):
    entries = _entries(session)
    assert all(0.5 <= e.hours <= 16 and (e.hours * 2).is_integer() for e in entries)
    days = defaultdict(float)
    for entry in entries:
        days[entry.staff_id, entry.work_date] += entry.hours
    assert set(Counter(_bucket(hours) for hours in days.values())) == {0, 1, 2, 3}
    people = defaultdict(list)
    for (staff_id, _), hours in days.items():
        people[staff_id].append(hours)
    averages = Counter(_bucket(sum(h) / len(h)) for h in people.values())
    assert set(averages) == {0, 1, 2, 3}


def _bucket(hours: float) -> int:
    return sum(hours >= limit for limit in (5, 7, 10))


def test_hours_lean_on_core_duties_and_business_tasks(session):
    hours = Counter()
    for kind, entry_hours in session.exec(
        select(Duty.function_type, DutyEntry.hours).join(Duty, Duty.id == DutyEntry.duty_id)
    ):
        hours[kind] += entry_hours
    total = sum(hours.values())
    for kind, target in (("core", 51.2), ("general", 33.7), ("auxiliary", 15.1)):
        assert abs(hours[kind] * 100 / total - target) < 4, kind
    types = Counter(session.exec(select(DutyEntry.task_type_code)))
    assert set(types) == {"business", "party", "finance_hr", "petition", "general"}
    assert 70 < types["business"] * 100 / sum(types.values()) < 85


def test_coverage_and_reporting_rate_leave_room_for_improvement(session):
    used = _count(session, Duty, col(Duty.id).in_(select(DutyEntry.duty_id)))
    assert 0.6 < used / _count(session, Duty) < 0.97
    workdays = workdays_between(END - timedelta(weeks=10) + timedelta(days=1), END)
    members = session.exec(select(Staff).where(col(Staff.is_leader).is_(False))).all()
    expected = sum(1 for m in members for day in workdays if day >= m.joined_on)
    logged = len(set(session.exec(select(DutyEntry.staff_id, DutyEntry.work_date))))
    assert 0.75 < logged / expected < 0.95


def test_review_states_look_like_a_working_office(session):
    entries = _entries(session)
    states = Counter(e.status for e in entries)
    assert states[EntryStatus.APPROVED] > states[EntryStatus.SUBMITTED] > states["returned"] > 0
    for entry in entries:
        reviewed = entry.status != EntryStatus.SUBMITTED
        assert (entry.reviewer_id is not None) == reviewed == (entry.reviewed_at is not None)
        assert (entry.return_reason is not None) == (entry.status == EntryStatus.RETURNED)
    recent = [e for e in entries if e.work_date > END - timedelta(days=3)]
    assert Counter(e.status for e in recent).most_common(1)[0][0] == EntryStatus.SUBMITTED


def test_descriptions_give_the_review_something_to_flag(session):
    entries = _entries(session)
    texts = Counter(e.description for e in entries)
    assert texts["开会"] > 0
    assert 0.01 < sum(n for t, n in texts.items() if len(t) < 8) / len(entries) < 0.06
    repeated = Counter((e.staff_id, e.description) for e in entries if len(e.description) > 8)
    assert any(n > 1 for n in repeated.values())
    assert sum(e.key_task_id is not None for e in entries) > len(entries) * 0.1
    assert sum(e.items is not None for e in entries) > len(entries) * 0.1


# Evaluation round and problem ledger


def test_one_finished_round_ranks_and_colours_every_unit(session):
    rnd = session.exec(select(EvaluationRound)).one()
    assert (
        rnd.status == RoundStatus.FINISHED and rnd.name == "2026年度部门履职和编制资源使用效益评估"
    )
    assert (rnd.period_start, rnd.period_end) == (END - timedelta(weeks=10, days=-1), END)
    units = session.exec(select(RoundUnit)).all()
    assert len(units) == _count(session, Department) - 1  # everyone but the staffing office
    assert _office(session).id not in {u.department_id for u in units}
    assert all(u.self_submitted_at and u.self_assessment and u.visit_notes for u in units)
    assert all(rnd.period_start <= u.visited_on <= END for u in units)
    results = session.exec(select(RoundResult).where(RoundResult.round_id == rnd.id)).all()
    assert {r.department_id for r in results} == {u.department_id for u in units}
    assert {r.colour for r in results} == {"red", "yellow", "green"}
    assert min(r.rank for r in results) == 1 and all(r.measure for r in results)
    assert _count(session, SurveyResponse) > 0


def test_the_ledger_shows_every_status_and_a_deadline_about_to_fall_due(session):
    findings = session.exec(select(Finding)).all()
    assert set(Counter(f.status for f in findings)) == set(FindingStatus)
    assert all(f.round_id is not None and f.point_id is not None for f in findings)
    per_unit = Counter(f.department_id for f in findings)
    assert max(per_unit.values()) >= 2 and min(per_unit.values()) == 1
    committed = [f for f in findings if f.status == FindingStatus.COMMITTED]
    assert any(0 < (f.deadline - END).days <= 3 for f in committed)
    closed = [f for f in findings if f.status == FindingStatus.CLOSED]
    assert all(f.closed_at and f.report for f in closed)


def test_the_reminder_job_finds_the_near_deadline(county):
    with Session(county[0]) as session:
        assert ledger_service.send_deadline_alerts(session, today=END) >= 1
        session.rollback()


# Determinism, refusal, replacement


def test_staffing_data_shows_vacancies_over_quota_and_an_ageing_structure(session):
    units = queries_staffing.unit_staffing(session, on=END)
    assert units and all(unit.quota_from is not None for unit in units)
    assert sum(unit.vacancies for unit in units) > 0
    assert any(unit.over_quota for unit in units)
    shapes = queries_staffing.staff_structure(session, department_ids=None, on=END)
    assert sum(shape.without_birth_date for shape in shapes) == 0
    averages = [shape.average_age for shape in shapes if shape.average_age is not None]
    assert min(averages) > 30 and max(averages) < 60
    output, county = queries_staffing.unit_output(
        session, start=date(END.year - 1, 1, 1), end=date(END.year - 1, 12, 31)
    )
    assert output and county.per_post is not None and county.per_post > 0


def test_the_same_seed_and_end_date_give_identical_rows(county, tmp_path):
    other = _new_engine(tmp_path)
    _seed(other)
    for table in SQLModel.metadata.sorted_tables:
        order = list(table.primary_key.columns)
        with county[0].connect() as first, other.connect() as second:
            rows = first.execute(table.select().order_by(*order)).all()
            assert rows == second.execute(table.select().order_by(*order)).all(), table.name
    other.dispose()


def test_seeding_refuses_a_database_that_has_departments(county, session):
    before = _count(session, DutyEntry)
    with pytest.raises(ValueError, match=r"已有部门数据.*replace"):
        seed_demo(session, seed=SEED, end_date=END)
    assert _count(session, DutyEntry) == before


def test_replace_deletes_the_old_county_and_what_hangs_on_it(engine):
    small = {"end_date": END, "weeks": 2, "staff_count": 200}
    with Session(engine) as session:
        seed_demo(session, seed=1, **small)
        admin = session.exec(select(Staff).where(Staff.role == Role.ADMIN)).one()
        session.add(ApiToken(staff_id=admin.id, token_hash="0" * 64))
        session.add(MonthClosure(year_month="2026-10", closed_by=admin.id))
        session.add(Conversation(wecom_userid=admin.wecom_userid, form="entry"))
        session.commit()
        summary = seed_demo(session, seed=2, replace=True, **small)
        session.commit()
        assert _count(session, Staff) == 200 and _count(session, ApiToken) == 0
        assert _count(session, Conversation) == _count(session, MonthClosure) == 0
        assert _count(session, DutyEntry) == summary.entries
        assert _count(session, TaskType) == 5
        assert _count(session, IndicatorTree) == _count(session, EvaluationRound) == 1
        assert _count(session, Survey) == 4


def test_too_few_staff_is_refused(tmp_path):
    with Session(_new_engine(tmp_path)) as session, pytest.raises(ValueError, match="人员数"):
        seed_demo(session, end_date=END, staff_count=50)


# The working-day calendar


def test_the_chinese_calendar_decides_working_days():
    assert not is_workday(date(2026, 10, 1))
    assert is_workday(date(2026, 10, 10))  # Saturday, make-up working day
    assert not is_workday(date(2026, 10, 11))
    expected = [date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 11)) == expected
    assert workdays_between(date(2026, 10, 2), date(2026, 10, 1)) == []


def test_an_unknown_year_falls_back_to_monday_to_friday(caplog):
    assert is_workday(date(2027, 1, 4))  # Monday
    assert not is_workday(date(2027, 1, 9))  # Saturday
    with caplog.at_level(logging.WARNING, logger="backend.schedule.workdays"):
        is_workday(date(2099, 1, 5))
        is_workday(date(2099, 1, 6))
    assert sum("2099" in record.getMessage() for record in caplog.records) == 1


def test_the_public_pages_can_be_tried_at_once(county, session):
    """Every unit and public-facing member has a QR code; a survey is open; both pages answer."""
    from backend.demo.public import demo_links
    from backend.models.supervision import SupervisionCode
    from backend.models.surveys import Survey
    from backend.surveys.queries import by_token
    from tests.support.console import console_app

    units = _count(session, Department)
    department_codes = session.exec(
        select(func.count())
        .select_from(SupervisionCode)
        .where(col(SupervisionCode.staff_id).is_(None))
    ).one()
    facing = session.exec(
        select(func.count()).select_from(Staff).where(col(Staff.public_facing).is_(True))
    ).one()
    assert department_codes == units and _count(session, SupervisionCode) == units + facing
    code, token = demo_links(session)
    assert code and token
    survey = by_token(session, token=token)
    assert survey is not None and survey.status == "published"
    assert survey.opens_at.date() < END < survey.closes_at.date()
    assert _count(session, Survey) == 4
    client = console_app(county[0]).test_client()
    rating = client.get(f"/q/{code}")
    assert rating.status_code == 200 and "提交评价" in rating.get_data(as_text=True)
    assert client.get(f"/s/{token}").status_code == 200


# The group posts made at start-up (`lvzhi demo`; tests/test_demo_browser.py runs it whole)


def test_start_up_posts_last_week_and_last_month_once_the_month_is_open(session):
    from backend.demo.posts import MONTHLY_JOB, WEEKLY_JOB, due_posts

    monday = due_posts(session, today=date(2026, 11, 23))
    assert (monday.week.key, monday.month.key, monday.month_open) == ("2026-W47", "2026-10", True)
    assert monday.groups == monday.weekly == monday.monthly == 14
    assert monday.jobs() == [WEEKLY_JOB, MONTHLY_JOB]
    national_day = due_posts(session, today=date(2026, 10, 5))  # September's go out on 8 October
    assert not national_day.month_open and national_day.monthly == 0
    assert national_day.jobs() == [WEEKLY_JOB]


def test_start_up_lines_say_what_went_out_and_what_did_not(session):
    from backend.demo.posts import Delivery, due_posts, outcome_lines, starting_line

    before = due_posts(session, today=date(2026, 10, 5))
    starting = starting_line(before, limit=240)
    assert "2026年第40周" in starting and "月度报告" not in starting
    after = replace(before, weekly=0)
    lines = outcome_lines(before, after, Delivery(pending=2, sent=26), seconds=7.4, problem=None)
    assert "周汇总 14 个群，26 条消息已送达（用时 7 秒）" in lines[0]
    assert "还有 2 条消息在排队发送" in lines[1]
    assert "2026年9月的月度报告将在本月第一个工作日" in lines[-1]
    again = outcome_lines(after, after, Delivery(), seconds=0, problem=None)
    assert "周汇总此前已发到各部门群，不再重发" in again[0] and "模拟器重启后" in again[0]
