"""Work-order deadlines through the scheduler job, with a frozen clock across a weekend.

A visitor complains on Friday through the public page; the head hears at once; nothing is sent
on Saturday or Sunday; Monday (the visit deadline) reminds the head; Tuesday escalates to the head
and the administrators; running the job again the same day sends nothing more.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select

from backend.models import JobRun
from backend.models.supervision import WorkOrder
from backend.org.accounts import create_account
from backend.supervision import work_orders
from backend.web.limits import limiter
from scheduled.jobs import JOBS
from scheduled.supervision import check_work_order_deadlines
from tests.support.chat import Member, reply_text
from tests.support.supervision import add_codes, staff_id, visitor_rates


@pytest.fixture
def county(stack):
    with Session(stack.engine) as session:
        codes = add_codes(session)
        create_account(
            session,
            username="bianban",
            password="secret-pass-1",
            role="admin",
            staff_id=staff_id(session, "bob"),
        )
        session.commit()
    limiter.reset()
    return codes


def at(stack, day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, 5, tzinfo=stack.settings.timezone)


def run_job(stack, day: int) -> int:
    sent = check_work_order_deadlines(stack.engine, now=at(stack, day))
    stack.deliver()
    return sent


def texts_of(stack, userid: str) -> list[str]:
    messages = Member(stack.emulator.url, userid).pushed_messages()
    return [reply_text(m) for m in messages]


def test_the_job_is_on_the_schedulers_list():
    assert "supervision-deadlines" in [job.name for job in JOBS]


def test_reminders_and_escalation_skip_the_weekend(stack, county):
    stack.clock.frozen = at(stack, 20, 16)  # Friday afternoon
    visitor_rates(
        stack.app.test_client(),
        county["alice"],
        level="very_dissatisfied",
        complaint="1",
        comment="窗口工作人员中途离岗半小时",
    )
    stack.deliver()
    with Session(stack.engine) as session:
        ticket = session.exec(select(WorkOrder.ticket)).one()
    opened = texts_of(stack, "dave")
    assert len(opened) == 1 and ticket in opened[0] and "2026-11-23 前完成回访" in opened[0]
    assert texts_of(stack, "bob") == opened  # bob is behind the admin account

    assert run_job(stack, 21) == 0 and run_job(stack, 22) == 0  # the weekend
    assert run_job(stack, 23) == 1
    assert "今天（2026-11-23）是回访期限" in texts_of(stack, "dave")[-1]
    assert len(texts_of(stack, "bob")) == 1  # a reminder is for the head only

    assert run_job(stack, 24) == 1
    assert "回访已超期" in texts_of(stack, "dave")[-1]
    assert "回访已超期" in texts_of(stack, "bob")[-1]
    assert check_work_order_deadlines(stack.engine, now=at(stack, 24, 15)) == 0
    with Session(stack.engine) as session:
        assert session.get(JobRun, "supervision-deadlines:2026-11-24").status == "done"


def test_each_alert_is_sent_once_even_if_the_days_run_record_is_lost(stack, county):
    stack.clock.frozen = at(stack, 20, 16)
    visitor_rates(stack.app.test_client(), county["县民政局"], level="dissatisfied")
    run_job(stack, 23)
    with Session(stack.engine) as session:
        session.delete(session.get(JobRun, "supervision-deadlines:2026-11-23"))
        session.commit()
    assert run_job(stack, 23) == 0


def test_a_visited_order_is_reminded_before_rectification_is_due(stack, county):
    stack.clock.frozen = at(stack, 20, 16)
    visitor_rates(stack.app.test_client(), county["县市场监督管理局"], level="dissatisfied")
    with Session(stack.engine) as session:
        order = session.exec(select(WorkOrder)).one()
        work_orders.record_visit(session, order=order, note="已回访", today=at(stack, 23).date())
        session.commit()
    assert run_job(stack, 24) == 0
    with Session(stack.engine) as session:
        assert session.exec(select(WorkOrder)).one().rectify_due.isoformat() == "2026-12-11"
    sent = check_work_order_deadlines(stack.engine, now=at(stack, 24).replace(month=12, day=8))
    stack.deliver()
    assert sent == 1
    assert "整改报送期限为 2026-12-11，还剩 3 个工作日" in texts_of(stack, "dave")[-1]
    assert len(texts_of(stack, "bob")) == 1  # only the opening message


def test_a_department_without_a_head_on_record_is_covered_by_the_administrators(stack, county):
    stack.clock.frozen = at(stack, 20, 16)
    visitor_rates(stack.app.test_client(), county["县民政局"], level="dissatisfied")
    assert run_job(stack, 23) == 1
    assert "今天（2026-11-23）是回访期限" in texts_of(stack, "bob")[-1]
    assert texts_of(stack, "erin") == []
