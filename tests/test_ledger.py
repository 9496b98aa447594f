"""The problem ledger: a finding's steps, their guards, and the deadline job through the emulator.

A finding in 县市场监督管理局 (head 张伟, dave) is committed with a deadline of Friday 2026-11-13;
Tuesday the 10th is three days before it and reminds the head once; the 13th passes quietly (the
reminder was sent); Saturday the 14th tells the head and the administrator (bob behind an admin
account) that it is overdue; later runs send nothing more until a new deadline is committed.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from backend.ledger import queries, service
from backend.ledger.errors import LedgerError
from backend.models import Department, Staff
from backend.models.ledger import FindingStatus
from backend.org.accounts import create_account
from scheduled.jobs import JOBS
from scheduled.ledger import check_ledger_deadlines
from tests.support.chat import Member, reply_text

TODAY = date(2026, 11, 2)


@pytest.fixture
def market(stack) -> int:
    with Session(stack.engine) as session:
        bob = session.exec(select(Staff).where(Staff.wecom_userid == "bob")).one()
        create_account(
            session, username="bianban", password="secret-pass-1", role="admin", staff_id=bob.id
        )
        unit = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
        session.commit()
        return unit.id


def _texts(stack, userid: str) -> list[str]:
    return [reply_text(m) for m in Member(stack.emulator.url, userid).pushed_messages()]


def _record(stack, market: int, problem: str = "权责清单未按期动态调整") -> int:
    with Session(stack.engine) as session:
        finding = service.record_finding(
            session, department_id=market, problem=problem, found_on=TODAY
        )
        session.commit()
        return finding.id


def _commit(stack, finding_id: int, deadline: date, today: date = TODAY) -> None:
    with Session(stack.engine) as session:
        service.commit_measure(
            session,
            finding_id=finding_id,
            measure="修订权责清单并公开",
            deadline=deadline,
            today=today,
        )
        session.commit()


def _run(stack, day: int) -> int:
    now = datetime(2026, 11, day, 9, 13, tzinfo=stack.settings.timezone)
    sent = check_ledger_deadlines(stack.engine, now=now)
    stack.deliver()
    return sent


def test_the_job_is_on_the_schedulers_list():
    assert "ledger-deadlines" in [job.name for job in JOBS]


def test_a_new_finding_tells_the_head(stack, market):
    _record(stack, market, problem="<b>台账</b>未建立")
    stack.deliver()
    texts = _texts(stack, "dave")
    assert len(texts) == 1 and "县市场监督管理局" in texts[0] and "台账" in texts[0]
    assert "<b>" not in texts[0]
    assert _texts(stack, "bob") == []  # the unit has a head: the admins are not disturbed


def test_deadline_reminder_once_then_overdue_to_head_and_admins(stack, market):
    finding_id = _record(stack, market)
    _commit(stack, finding_id, date(2026, 11, 13))
    stack.deliver()
    before = len(_texts(stack, "dave"))
    assert _run(stack, 9) == 0  # four days before: nothing yet
    assert _run(stack, 10) == 1
    reminders = _texts(stack, "dave")[before:]
    assert len(reminders) == 1 and "2026-11-13" in reminders[0] and "3 天" in reminders[0]
    assert _run(stack, 13) == 0  # already reminded for this deadline
    assert _run(stack, 14) == 1
    assert any("已过" in t for t in _texts(stack, "bob"))
    assert any("已过" in t for t in _texts(stack, "dave"))
    assert _run(stack, 16) == 0 and _run(stack, 17) == 0


def test_a_recommitted_deadline_is_reminded_again(stack, market):
    finding_id = _record(stack, market)
    _commit(stack, finding_id, date(2026, 11, 10))
    assert _run(stack, 9) == 1
    _commit(stack, finding_id, date(2026, 11, 20), today=date(2026, 11, 9))
    assert _run(stack, 18) == 1


def test_the_steps_from_found_to_closed_and_reopened(stack, market):
    first, second = _record(stack, market), _record(stack, market, problem="股室职责交叉")
    for finding_id in (first, second):
        _commit(stack, finding_id, date(2026, 11, 30))
        with Session(stack.engine) as session:
            service.file_report(session, finding_id=finding_id, report="已修订并公开")
            session.commit()
    with Session(stack.engine) as session:
        service.check_finding(session, finding_id=first, passed=True, note="核查属实")
        service.check_finding(session, finding_id=second, passed=False, note="仍有交叉")
        session.commit()
        assert queries.finding(session, finding_id=first).status == FindingStatus.CLOSED
        reopened = queries.finding(session, finding_id=second)
        assert reopened.status == FindingStatus.REOPENED and reopened.closed_at is None
        actions = [e.action for e in queries.events(session, finding_id=second)]
        assert actions == ["found", "committed", "reported", "reopened"]
        counts = queries.status_counts(session)[market]
        assert counts == {FindingStatus.CLOSED: 1, FindingStatus.REOPENED: 1}
    stack.deliver()
    assert any("仍有交叉" in t for t in _texts(stack, "dave"))


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (lambda s, f: service.file_report(s, finding_id=f, report="x"), "不能提交整改报告"),
        (lambda s, f: service.check_finding(s, finding_id=f, passed=True), "不能回头看"),
        (
            lambda s, f: service.commit_measure(
                s, finding_id=f, measure="", deadline=TODAY, today=TODAY
            ),
            "请填写整改措施",
        ),
        (
            lambda s, f: service.commit_measure(
                s, finding_id=f, measure="m", deadline=date(2026, 11, 1), today=TODAY
            ),
            "不能早于今天",
        ),
        (
            lambda s, f: service.commit_measure(
                s, finding_id=f, measure="m" * 5001, deadline=TODAY, today=TODAY
            ),
            "不能超过",
        ),
        (
            lambda s, f: service.commit_measure(
                s, finding_id=f + 999, measure="m", deadline=TODAY, today=TODAY
            ),
            "没有这条问题",
        ),
    ],
)
def test_steps_out_of_order_or_with_bad_input_are_refused(stack, market, step, message):
    finding_id = _record(stack, market)
    with Session(stack.engine) as session, pytest.raises(LedgerError, match=message):
        step(session, finding_id)


def test_reopening_needs_a_note_and_finding_needs_a_problem(stack, market):
    finding_id = _record(stack, market)
    _commit(stack, finding_id, date(2026, 11, 30))
    with Session(stack.engine) as session:
        service.file_report(session, finding_id=finding_id, report="已整改")
        with pytest.raises(LedgerError, match="写明"):
            service.check_finding(session, finding_id=finding_id, passed=False, note="  ")
        with pytest.raises(LedgerError, match="问题描述"):
            service.record_finding(session, department_id=market, problem=" ", found_on=TODAY)
        with pytest.raises(LedgerError) as missing:
            service.record_finding(session, department_id=99999, problem="x", found_on=TODAY)
        assert missing.value.status == 404
