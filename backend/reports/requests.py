"""Reports asked for in chat: queue the request fast, render and post it later (scheduler)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from backend.models import Department, ReportRequest, Role, Staff, utcnow
from backend.reports import texts
from backend.reports.periods import month_of, parse_period, week_of
from backend.reports.service import (
    ReportOptions,
    group_target,
    monthly_files,
    post_files,
    weekly_files,
)

KINDS = {"weekly": "week", "monthly": "month"}
COMMANDS = {texts.CMD_WEEKLY: "weekly", texts.CMD_MONTHLY: "monthly"}


def may_request(staff: Staff) -> bool:
    """Tell whether the member may ask for the department's reports."""
    return staff.is_principal_head or staff.role in (Role.HEAD, Role.ADMIN)


def top_department(session: Session, staff: Staff) -> Department:
    """Return the member's department, or the parent department of their institution."""
    department = session.get(Department, staff.department_id)
    if department.parent_id is not None:
        return session.get(Department, department.parent_id)
    return department


def request_report(session: Session, *, staff: Staff, kind: str, today: date) -> str:
    """Queue a weekly or monthly report of the period so far; return the reply to the member."""
    what = texts.WHAT[kind]
    if not may_request(staff):
        return texts.CMD_NOT_HEAD.format(what=what)
    department = top_department(session, staff)
    if group_target(department) is None:
        return texts.CMD_NO_GROUP.format(what=what)
    period = (week_of(today) if kind == "weekly" else month_of(today)).until(today)
    pending = session.exec(
        select(ReportRequest).where(
            ReportRequest.kind == kind,
            ReportRequest.department_id == department.id,
            ReportRequest.period_key == period.key,
            ReportRequest.status == "pending",
        )
    ).first()
    if pending is not None:
        return texts.CMD_ALREADY.format(what=what, label=period.label)
    session.add(
        ReportRequest(
            kind=kind,
            department_id=department.id,
            period_key=period.key,
            period_end=period.end.isoformat(),
            requested_by=staff.wecom_userid,
        )
    )
    session.flush()
    return texts.CMD_QUEUED.format(what=what, label=period.label)


def pending_requests(session: Session) -> list[int]:
    """Return the ids of the requests still to render, oldest first."""
    query = select(ReportRequest.id).where(ReportRequest.status == "pending")
    return list(session.exec(query.order_by(col(ReportRequest.id))).all())


def fulfil_request(
    session: Session, *, request_id: int, today: date, options: ReportOptions
) -> int:
    """Render one request's files and queue them to the department's group."""
    request = session.get(ReportRequest, request_id)
    if request is None or request.status != "pending":
        return 0
    department = session.get(Department, request.department_id)
    target = group_target(department)
    end = date.fromisoformat(request.period_end)
    period = parse_period(KINDS[request.kind], request.period_key, today=today).until(end)
    count = 0
    if target is not None:
        span = {"department_id": department.id, "period": period, "options": options}
        if request.kind == "weekly":
            files = weekly_files(session, **span)
        else:
            files = monthly_files(session, today=today, **span)
        count = post_files(session, target=target, files=files, dedupe=f"request:{request.id}")
    request.status = "done" if target is not None else "failed"
    request.error = None if target is not None else texts.CMD_NO_GROUP.format(what="报告")
    request.finished_at = utcnow()
    return count
