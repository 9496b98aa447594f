"""Reports asked for in chat: queue the request fast, render and post it later (scheduler)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from backend.db import read_scope, session_scope
from backend.models import Department, ReportRequest, Role, Staff, utcnow
from backend.reports import texts
from backend.reports.data import DepartmentReport, department_report
from backend.reports.periods import month_of, parse_period, week_of
from backend.reports.service import (
    File,
    ReportOptions,
    group_target,
    monthly_files_of,
    post_files,
    weekly_files_of,
)

log = logging.getLogger(__name__)
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


@dataclass(frozen=True)
class LoadedRequest:
    """A pending request's report data and its department's group (None: it has none)."""

    request_id: int
    kind: str
    target: tuple[str, str] | None
    report: DepartmentReport | None


def load_request(session: Session, *, request_id: int, today: date) -> LoadedRequest | None:
    """Load a pending request's report data, or None when it is no longer pending."""
    request = session.get(ReportRequest, request_id)
    if request is None or request.status != "pending":
        return None
    department = session.get(Department, request.department_id)
    target = group_target(department)
    if target is None:
        return LoadedRequest(request_id, request.kind, None, None)
    end = date.fromisoformat(request.period_end)
    period = parse_period(KINDS[request.kind], request.period_key, today=today).until(end)
    monthly = request.kind == "monthly"
    report = department_report(session, department_id=department.id, period=period, monthly=monthly)
    return LoadedRequest(request_id, request.kind, target, report)


def render_request(loaded: LoadedRequest, *, today: date, options: ReportOptions) -> list[File]:
    """Render the request's files (pure); none when the department has no group."""
    if loaded.report is None:
        return []
    log.info("rendering request:%s", loaded.request_id)
    if loaded.kind == "weekly":
        return weekly_files_of(loaded.report, options=options)
    return monthly_files_of(loaded.report, today=today, options=options)


def finish_request(session: Session, *, loaded: LoadedRequest, files: list[File]) -> int:
    """Queue the files and mark the request done (or failed without a group), unless it was
    finished meanwhile; return the messages queued."""
    request = session.get(ReportRequest, loaded.request_id)
    if request is None or request.status != "pending":
        return 0
    count = 0
    if loaded.target is not None:
        dedupe = f"request:{request.id}"
        count = post_files(session, target=loaded.target, files=files, dedupe=dedupe)
    request.status = "done" if loaded.target is not None else "failed"
    request.error = None if loaded.target is not None else texts.CMD_NO_GROUP.format(what="报告")
    request.finished_at = utcnow()
    session.add(request)
    return count


def fulfil_request(engine: Engine, *, request_id: int, today: date, options: ReportOptions) -> int:
    """Load and render one request without the write lock, then queue it in a short write."""
    with read_scope(engine) as session:
        loaded = load_request(session, request_id=request_id, today=today)
    if loaded is None:
        return 0
    files = render_request(loaded, today=today, options=options)
    with session_scope(engine) as session:
        return finish_request(session, loaded=loaded, files=files)
