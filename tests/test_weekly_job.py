"""The weekly job on the demo county against the emulator: one image and one markdown per
department group, one county summary for the administrators, nothing new on a rerun."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlmodel import Session, select

from backend.db import writing
from backend.demo import seed_demo
from backend.models import Absence, AbsenceKind, ChatTargetKind, Duty, DutyEntry, Staff
from backend.reports.periods import parse_period
from backend.reports.queries import reporting_departments
from backend.reports.service import ReportOptions, weekly_files
from scheduled.reports import weekly_summaries
from tests.support.reports import (
    ADMIN_ROBOT,
    add_admin_robot,
    admin_settings,
    deliver_all,
    no_glyph_warnings,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


def _demo_county(session: Session) -> None:
    seed_demo(session, end_date=date(2026, 11, 22))


@pytest.fixture
def demo_stack(sqlite_stack):
    """The emulator and app on SQLite with the demo county and an administrators' robot."""
    sqlite_stack.reset(_demo_county)
    add_admin_robot(sqlite_stack)
    return sqlite_stack


def _group_messages(stack) -> list[dict]:
    messages = stack.emulator_call("GET", "/_emulator/messages").json()["messages"]
    return [m for m in messages if m["channel"] in ("webhook", "appchat")]


def _group_of(message: dict) -> str:
    return message.get("robot") or message.get("chatid")


def test_weekly_job_posts_each_department_once_and_the_county_summary(demo_stack, artifacts):
    stack = demo_stack
    with Session(stack.engine) as session:
        departments = {d.chat_target: d.name for d in reporting_departments(session)}
        kinds = {d.chat_target_kind for d in reporting_departments(session)}
    assert kinds == {ChatTargetKind.WEBHOOK, ChatTargetKind.APPCHAT}
    posted = no_glyph_warnings(
        lambda: weekly_summaries(stack.engine, now=MONDAY_9AM, settings=admin_settings(stack))
    )
    assert posted == 15
    assert deliver_all(stack) == 2 * len(departments) + 1
    by_group: dict[str, list[dict]] = {}
    for message in _group_messages(stack):
        by_group.setdefault(_group_of(message), []).append(message)
    for target, name in departments.items():
        posted = by_group[target]
        assert [m["msgtype"] for m in posted] == ["image", "markdown"], name
        assert f"**{name} · 履职周报**" in posted[1]["markdown"]
        assert "2026年第47周" in posted[1]["markdown"]
    county = by_group[ADMIN_ROBOT]
    assert [m["msgtype"] for m in county] == ["markdown"]
    assert "部门排名" in county[0]["markdown"]
    assert all(name in county[0]["markdown"] for name in departments.values())
    image = requests.get(
        stack.emulator.url + by_group[next(iter(departments))][0]["media"]["url"], timeout=10
    )
    assert image.content.startswith(b"\x89PNG") and len(image.content) < 2 * 1024 * 1024
    (artifacts / "weekly-summary.png").write_bytes(image.content)

    assert weekly_summaries(stack.engine, now=MONDAY_9AM, settings=admin_settings(stack)) == 0
    later = datetime(2026, 11, 24, 15, 0, tzinfo=SHANGHAI)  # a catch-up later in the week
    assert weekly_summaries(stack.engine, now=later, settings=admin_settings(stack)) == 0
    assert deliver_all(stack) == 0
    assert len(_group_messages(stack)) == 2 * len(departments) + 1


def test_missing_days_excuse_registered_absences(stack):
    """Alice skips Friday, Bob is on leave Monday to Wednesday, Carol logs nothing."""
    week = parse_period("week", "2026-W47", today=date(2026, 11, 23))
    with writing(stack.engine) as session:
        staff = {s.wecom_userid: s for s in session.exec(select(Staff)).all()}
        alice, bob = staff["alice"], staff["bob"]
        duty = session.exec(select(Duty).where(Duty.department_id == alice.department_id)).first()
        for day in range(16, 20):
            session.add(
                DutyEntry(
                    staff_id=alice.id,
                    department_id=alice.department_id,
                    work_date=date(2026, 11, day),
                    duty_id=duty.id,
                    task_type_code="business",
                    hours=7.0,
                    description="检查城关镇餐饮店后厨卫生，责令两家整改",
                )
            )
        session.add(
            Absence(
                staff_id=bob.id,
                kind=AbsenceKind.LEAVE,
                start_date=date(2026, 11, 16),
                end_date=date(2026, 11, 18),
            )
        )
    with Session(stack.engine) as session:
        _, markdown = weekly_files(
            session, department_id=alice.department_id, period=week, options=ReportOptions()
        )[1]
    text = markdown.decode()
    assert "陈静（办公室） 缺报5天" in text
    assert "王建国（办公室） 缺报2天" in text
    assert "李晓燕（食品安全监管股） 缺报1天" in text
    assert "赵磊（县食品药品检验所·未分科室） 缺报5天" in text  # institution, no section
    assert text.index("陈静") < text.index("王建国") < text.index("李晓燕")
    assert "张伟" not in text  # the head occupies a leadership post: not evaluated
