"""The ledger's steps: record a finding, commit a measure, file the report, check it, alert."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from backend.ledger import rules, texts
from backend.ledger.errors import LedgerError
from backend.models import Department, saved_id, utcnow
from backend.models.evaluation import EvaluationPoint, EvaluationRound, RoundUnit
from backend.models.ledger import Finding, FindingEvent, FindingStatus
from backend.outbox.service import OutgoingContent, enqueue_to_users
from backend.supervision.notify import admin_userids, head_userids
from bot.neutral import for_text


def _text(raw: object, label: str, limit: int, *, required: str | None = None) -> str:
    value = str(raw or "").strip()
    if required and not value:
        raise LedgerError(required)
    if len(value) > limit:
        raise LedgerError(texts.ERR_TOO_LONG.format(label=label, limit=limit))
    return value


def _actor(account) -> tuple[int | None, str]:
    return getattr(account, "id", None), str(getattr(account, "username", "") or "")[:64]


def _event(session: Session, finding: Finding, action: str, note: str, account) -> None:
    account_id, actor = _actor(account)
    session.add(
        FindingEvent(
            finding_id=saved_id(finding),
            action=action,
            note=note,
            account_id=account_id,
            actor=actor,
        )
    )


def _check_round(session: Session, round_id: int, department_id: int, point_id: int | None):
    rnd = session.get(EvaluationRound, round_id)
    if rnd is None:
        raise LedgerError(texts.ERR_ROUND_MISSING, 404)
    taking_part = session.exec(
        select(RoundUnit.id).where(
            RoundUnit.round_id == round_id, RoundUnit.department_id == department_id
        )
    ).first()
    if taking_part is None:
        raise LedgerError(texts.ERR_NOT_IN_ROUND)
    if point_id is not None:
        point = session.get(EvaluationPoint, point_id)
        if point is None or point.tree_id != rnd.tree_id:
            raise LedgerError(texts.ERR_POINT_NOT_IN_TREE)


def record_finding(
    session: Session,
    *,
    department_id: int,
    problem: str,
    found_on: date,
    suggestion: str = "",
    round_id: int | None = None,
    point_id: int | None = None,
    account=None,
) -> Finding:
    """Put a problem found in a unit into the ledger and tell the unit's head."""
    if session.get(Department, department_id) is None:
        raise LedgerError(texts.ERR_UNIT_MISSING, 404)
    if round_id is not None:
        _check_round(session, round_id, department_id, point_id)
    elif point_id is not None:
        raise LedgerError(texts.ERR_POINT_NOT_IN_TREE)
    limit = texts.PROBLEM_LIMIT
    finding = Finding(
        round_id=round_id,
        department_id=department_id,
        point_id=point_id,
        problem=_text(problem, "问题描述", limit, required=texts.ERR_PROBLEM.format(limit=limit)),
        suggestion=_text(suggestion, "整改建议", texts.TEXT_LIMIT),
        found_on=found_on,
        found_by=getattr(account, "id", None),
    )
    session.add(finding)
    session.flush()
    _event(session, finding, "found", "", account)
    _notify(session, finding, texts.MSG_FOUND, "found", heads_only=True)
    return finding


def _finding(session: Session, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise LedgerError(texts.ERR_MISSING, 404)
    return finding


def _allow(finding: Finding, allowed: frozenset, step: str) -> None:
    if finding.status not in allowed:
        status = texts.STATUS_LABELS[finding.status]
        raise LedgerError(texts.ERR_STEP.format(status=status, step=step), 409)


def commit_measure(
    session: Session,
    *,
    finding_id: int,
    measure: str,
    deadline: date | None,
    today: date,
    account=None,
) -> Finding:
    """Record the rectification measure and deadline the unit commits to."""
    finding = _finding(session, finding_id)
    _allow(finding, rules.COMMITTABLE, texts.STEP_COMMIT)
    measure = _text(measure, "整改措施", texts.TEXT_LIMIT, required=texts.ERR_MEASURE)
    if deadline is None:
        raise LedgerError(texts.ERR_DEADLINE)
    if deadline < today:
        raise LedgerError(texts.ERR_DEADLINE_PAST.format(today=today.isoformat()))
    finding.measure, finding.deadline = measure, deadline
    finding.status, finding.committed_at = FindingStatus.COMMITTED, utcnow()
    _touch(session, finding)
    _event(session, finding, "committed", f"{measure}（期限 {deadline.isoformat()}）", account)
    return finding


def file_report(session: Session, *, finding_id: int, report: str, account=None) -> Finding:
    """Record the unit's rectification report; the finding waits for the follow-up check."""
    finding = _finding(session, finding_id)
    _allow(finding, rules.REPORTABLE, texts.STEP_REPORT)
    finding.report = _text(report, "整改情况报告", texts.TEXT_LIMIT, required=texts.ERR_REPORT)
    finding.status, finding.reported_at = FindingStatus.REPORTED, utcnow()
    _touch(session, finding)
    _event(session, finding, "reported", finding.report, account)
    return finding


def check_finding(
    session: Session, *, finding_id: int, passed: bool, note: str = "", account=None
) -> Finding:
    """Close the finding (销号) after the follow-up check, or reopen it with what was found."""
    finding = _finding(session, finding_id)
    _allow(finding, rules.CHECKABLE, texts.STEP_CHECK)
    required = None if passed else texts.ERR_REOPEN_NOTE
    finding.check_note = _text(note, "回头看意见", texts.NOTE_LIMIT, required=required)
    finding.checked_at = utcnow()
    if passed:
        finding.status, finding.closed_at = FindingStatus.CLOSED, finding.checked_at
    else:
        finding.status, finding.closed_at = FindingStatus.REOPENED, None
    _touch(session, finding)
    _event(session, finding, "closed" if passed else "reopened", finding.check_note, account)
    if not passed:
        _notify(session, finding, texts.MSG_REOPENED, f"reopened:{finding.checked_at}")
    return finding


def _touch(session: Session, finding: Finding) -> None:
    finding.updated_at = utcnow()
    session.add(finding)
    session.flush()


def send_deadline_alerts(session: Session, *, today: date) -> int:
    """Remind heads of near deadlines and tell administrators of passed ones; return how many."""
    committed = select(Finding).where(Finding.status == FindingStatus.COMMITTED)
    sent = 0
    for finding in session.exec(committed.order_by(col(Finding.id))).all():
        alert = rules.deadline_alert(
            status=finding.status,
            deadline=finding.deadline,
            reminded_for=finding.reminded_for,
            overdue_for=finding.overdue_for,
            today=today,
            remind_days=texts.REMIND_DAYS,
        )
        if alert is None:
            continue
        _alert(session, finding, alert)
        sent += 1
    return sent


def _alert(session: Session, finding: Finding, alert: rules.DeadlineAlert) -> None:
    key = f"{alert.stage}:{alert.deadline.isoformat()}"
    if alert.stage == "overdue":
        finding.overdue_for = alert.deadline
        _notify(session, finding, texts.MSG_OVERDUE, key)
    else:
        finding.reminded_for = alert.deadline
        template = texts.MSG_DUE_TODAY if alert.left == 0 else texts.MSG_REMIND
        _notify(session, finding, template, key, heads_only=True, left=alert.left)
    session.add(finding)
    session.flush()


def _notify(
    session: Session,
    finding: Finding,
    template: str,
    key: str,
    *,
    heads_only: bool = False,
    **extra,
) -> None:
    heads = head_userids(session, finding.department_id)
    users = heads if heads and heads_only else heads + admin_userids(session)
    text = template.format(
        department=for_text(session.get_one(Department, finding.department_id).name),
        problem=for_text(finding.problem[:80]),
        deadline=finding.deadline.isoformat() if finding.deadline else "",
        note=for_text(finding.check_note[:200]),
        **extra,
    )
    content = OutgoingContent("text", {"content": text})
    dedupe = f"ledger:finding:{finding.id}:{key}"
    enqueue_to_users(session, user_ids=sorted(set(users)), content=content, dedupe_key=dedupe)
