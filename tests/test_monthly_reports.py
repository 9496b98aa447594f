"""Monthly reports, notices and reports asked for in chat, posted as files to the groups."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from openpyxl import load_workbook
from sqlmodel import Session, select

from backend.db import writing
from backend.models import Department, Duty, DutyEntry, EntryStatus, RatingLevel, Staff
from backend.reports.periods import parse_period
from backend.reports.service import ReportOptions, report_download
from backend.schedule.workdays import workdays_between
from backend.supervision import service as supervision
from scheduled.reports import half_year_notice, monthly_reports
from tests.support.chat import Member
from tests.support.org import APPCHAT_ID, WEBHOOK_KEY
from tests.support.reports import (
    ADMIN_ROBOT,
    add_admin_robot,
    admin_settings,
    deliver_all,
    pdf_text,
    run_report_jobs,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def _add_entries(stack, start: date, end: date) -> None:
    """Alice logs every workday on duty 1; Bob on duty 2 with one flagged and one returned."""
    with writing(stack.engine) as session:
        staff = {s.wecom_userid: s for s in session.exec(select(Staff)).all()}
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
        duties = session.exec(
            select(Duty).where(Duty.department_id == market.id).order_by(Duty.seq)
        ).all()
        for number, day in enumerate(workdays_between(start, end)):
            for who, duty, hours in (("alice", duties[0], 6.0), ("bob", duties[1], 7.5)):
                member = staff[who]
                entry = DutyEntry(
                    staff_id=member.id,
                    department_id=market.id,
                    section_id=member.section_id,
                    work_date=day,
                    duty_id=duty.id,
                    task_type_code="business",
                    hours=hours,
                    description=f"{day:%m月%d日}检查食品经营户{number + 3}家，督促整改问题",
                )
                if who == "bob" and number == 0:
                    entry.flags = "over_standard"
                if who == "bob" and number == 1:
                    entry.status, entry.return_reason = EntryStatus.RETURNED, "=描述与职责不符"
                session.add(entry)


@pytest.fixture
def groups(stack):
    """The small county with October and November entries and an administrators' robot."""
    _add_entries(stack, date(2026, 9, 1), date(2026, 11, 20))
    add_admin_robot(stack)
    return stack


def _posted(stack, **where) -> list[dict]:
    messages = stack.emulator_call("GET", "/_emulator/messages", params=where).json()["messages"]
    return [m for m in messages if m["channel"] in ("webhook", "appchat")]


def _download(stack, message: dict) -> bytes:
    return requests.get(stack.emulator.url + message["media"]["url"], timeout=10).content


def test_monthly_reports_wait_for_the_first_working_day_and_post_once(groups, tmp_path, artifacts):
    stack, settings = groups, admin_settings(groups)
    # 1–7 October 2026 are the National Day holidays: September's reports wait until the 8th.
    assert monthly_reports(stack.engine, now=_at(date(2026, 10, 5)), settings=settings) == 0
    assert monthly_reports(stack.engine, now=_at(date(2026, 10, 8)), settings=settings) == 3
    assert monthly_reports(stack.engine, now=_at(date(2026, 10, 9)), settings=settings) == 0
    deliver_all(stack)
    market = _posted(stack, robot=WEBHOOK_KEY)
    assert [m["msgtype"] for m in market] == ["file", "file", "markdown"]
    assert market[0]["media"]["filename"] == "县市场监督管理局部门履职评估分析报告-2026-09.pdf"
    pdf = _download(stack, market[0])
    (artifacts / "monthly-report.pdf").write_bytes(pdf)
    text = pdf_text(pdf, tmp_path)
    assert "县市场监督管理局部门履职评估分析报告" in text
    assert "被审核退回1条" in text and "描述与职责不符" in text
    assert "负责消费者权益保护，受理投诉举报" in text  # a duty never performed
    workbook = load_workbook(io.BytesIO(_download(stack, market[1])))
    people = {row[0]: row for row in workbook["人员明细"].iter_rows(values_only=True)}
    assert people["李晓燕"][6] == len(workdays_between(date(2026, 9, 1), date(2026, 9, 30)))
    assert [m["msgtype"] for m in _posted(stack, chatid=APPCHAT_ID)] == ["file", "file", "markdown"]
    admin = _posted(stack, robot=ADMIN_ROBOT)
    assert [m["media"]["filename"] for m in admin if m["msgtype"] == "file"] == [
        "全县部门履职评估排名-2026-09.pdf",
        "部门核心职能履行评估分析报告-2026-09.pdf",
        "全县部门履职评估数据-2026-09.xlsx",
    ]


def test_monthly_report_includes_citizen_ratings(groups, tmp_path):
    with writing(groups.engine) as session:
        supervision.issue_codes(session)
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
        code = next(
            c
            for c in supervision.codes_of_department(session, department_id=market.id)
            if c.staff_id is None
        )
        for device, level in (
            ("phone-1", RatingLevel.VERY_SATISFIED),
            ("phone-2", RatingLevel.DISSATISFIED),
        ):
            answers = supervision.RatingInput(level=level, comment="办事效率")
            supervision.submit_rating(
                session, code=code, device=device, answers=answers, now=_at(date(2026, 9, 15), 10)
            )
    period = parse_period("month", "2026-09", today=date(2026, 10, 8))
    with Session(groups.engine) as session:
        _, pdf = report_download(
            session,
            kind="monthly_pdf",
            period=period,
            today=date(2026, 10, 8),
            options=ReportOptions(),
            department_id=market.id,
        )
    text = pdf_text(pdf, tmp_path)
    assert "收到群众评价" in text and "非常满意" in text and "不满意" in text


def test_half_year_notice_ranks_departments_once(groups, tmp_path):
    stack, settings = groups, admin_settings(groups)
    assert half_year_notice(stack.engine, now=_at(date(2026, 7, 1)), settings=settings) == 1
    assert half_year_notice(stack.engine, now=_at(date(2026, 7, 2)), settings=settings) == 0
    deliver_all(stack)
    files = [m for m in _posted(stack, robot=ADMIN_ROBOT) if m["msgtype"] == "file"]
    names = [m["media"]["filename"] for m in files]
    assert "部门履职评估情况通报-2026-H1.pdf" in names
    notice = pdf_text(
        _download(stack, files[names.index("部门履职评估情况通报-2026-H1.pdf")]), tmp_path
    )
    assert "县市场监督管理局" in notice and "县民政局" in notice


def test_head_asks_for_the_monthly_report_in_chat(groups, tmp_path):
    stack, settings = groups, admin_settings(groups)
    dave, alice = Member(stack.emulator.url, "dave"), Member(stack.emulator.url, "alice")
    assert "已收到，正在生成月度报告" in dave.says("本月报告")[0]
    assert "正在生成中" in dave.says("本月报告")[0]
    assert "只有部门负责同志" in alice.says("本周汇总")[0]
    assert "本周汇总 / 本月报告" in alice.says("帮助")[0]
    assert run_report_jobs(stack.engine, settings) == 2
    assert run_report_jobs(stack.engine, settings) == 0
    deliver_all(stack)
    files = [m for m in _posted(stack, robot=WEBHOOK_KEY) if m["msgtype"] == "file"]
    names = [f["media"]["filename"] for f in files]
    assert len(names) == 2 and names[0].endswith(".pdf") and names[1].endswith(".xlsx")
    assert "县市场监督管理局" in pdf_text(_download(stack, files[0]), tmp_path)
    assert "已收到" in dave.says("本周汇总")[0]
    run_report_jobs(stack.engine, settings)
    deliver_all(stack)
    assert [m["msgtype"] for m in _posted(stack, robot=WEBHOOK_KEY)][-2:] == ["image", "markdown"]


def test_download_function_returns_one_named_file(groups):
    period = parse_period("month", "2026-10", today=date(2026, 11, 23))
    with Session(groups.engine) as session:
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
        name, data = report_download(
            session,
            kind="monthly_xlsx",
            period=period,
            today=date(2026, 11, 23),
            options=ReportOptions(),
            department_id=market.id,
        )
        assert name == "县市场监督管理局履职数据-2026-10.xlsx" and data.startswith(b"PK")
        name, data = report_download(
            session,
            kind="county_pdf",
            period=period,
            today=date(2026, 11, 23),
            options=ReportOptions(),
        )
        assert name.endswith("2026-10.pdf") and data.startswith(b"%PDF")
        with pytest.raises(ValueError, match="通报只按半年或全年生成"):
            report_download(
                session,
                kind="notice_pdf",
                period=period,
                today=date(2026, 11, 23),
                options=ReportOptions(),
            )
        with pytest.raises(ValueError, match="请选择部门"):
            report_download(
                session,
                kind="weekly_image",
                period=period,
                today=date(2026, 11, 23),
                options=ReportOptions(),
            )
