"""Reports asked for in chat: queue a job fast; the job runner renders and posts it later."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.db import reading, writing
from backend.jobs import service as jobs
from backend.jobs.service import JobResult
from backend.models import Department, Role, Staff, saved_id
from backend.outbox.rules import GroupRoute, group_route
from backend.reports import texts
from backend.reports.data import DepartmentReport, department_report
from backend.reports.periods import month_of, parse_period, week_of
from backend.reports.service import (
    File,
    ReportOptions,
    monthly_files_of,
    post_files,
    weekly_files_of,
)

log = logging.getLogger(__name__)
KINDS = {"weekly": "week", "monthly": "month"}
COMMANDS = {texts.CMD_WEEKLY: "weekly", texts.CMD_MONTHLY: "monthly"}
JOB_KIND = "report_request"


def may_request(staff: Staff) -> bool:
    """Tell whether the member may ask for the department's reports."""
    return staff.is_principal_head or staff.role in (Role.HEAD, Role.ADMIN)


def top_department(session: Session, staff: Staff) -> Department:
    """Return the member's department, or the parent department of their institution."""
    department = session.get_one(Department, staff.department_id)
    if department.parent_id is not None:
        return session.get_one(Department, department.parent_id)
    return department


def request_report(session: Session, *, staff: Staff, kind: str, today: date) -> str:
    """Queue a weekly or monthly report of the period so far; return the reply to the member."""
    what = texts.WHAT[kind]
    if not may_request(staff):
        return texts.CMD_NOT_HEAD.format(what=what)
    department = top_department(session, staff)
    if group_route(department) is None:
        return texts.CMD_NO_GROUP.format(what=what)
    period = (week_of(today) if kind == "weekly" else month_of(today)).until(today)
    key = f"report:{kind}:{department.id}:{period.key}"
    if jobs.open_job(session, dedupe_key=key) is not None:
        return texts.CMD_ALREADY.format(what=what, label=period.label)
    payload = {
        "kind": kind,
        "department_id": department.id,
        "period_key": period.key,
        "period_end": period.end.isoformat(),
        "requested_by": staff.wecom_userid,
        "today": today.isoformat(),
    }
    jobs.enqueue(session, kind=JOB_KIND, payload=payload, dedupe_key=key)
    return texts.CMD_QUEUED.format(what=what, label=period.label)


@dataclass(frozen=True)
class LoadedRequest:
    """A requested report's data and its department's group (None: it has none)."""

    job_id: int
    kind: str
    target: GroupRoute | None
    report: DepartmentReport | None


def load_request(session: Session, *, job_id: int, payload: dict, today: date) -> LoadedRequest:
    """Load the report data a request names (a read)."""
    kind = payload["kind"]
    department = session.get(Department, payload["department_id"])
    target = group_route(department) if department is not None else None
    if department is None or target is None:
        return LoadedRequest(job_id, kind, None, None)
    end = date.fromisoformat(payload["period_end"])
    period = parse_period(KINDS[kind], payload["period_key"], today=today).until(end)
    monthly = kind == "monthly"
    department_id = saved_id(department)
    report = department_report(session, department_id=department_id, period=period, monthly=monthly)
    return LoadedRequest(job_id, kind, target, report)


def render_request(loaded: LoadedRequest, *, today: date, options: ReportOptions) -> list[File]:
    """Render the request's files (pure); none when the department has no group."""
    if loaded.report is None:
        return []
    log.info("rendering report job %s", loaded.job_id)
    if loaded.kind == "weekly":
        return weekly_files_of(loaded.report, options=options)
    return monthly_files_of(loaded.report, today=today, options=options)


def run_report_request(engine: Engine, job, progress) -> JobResult:
    """The job: load without the write lock, render outside any transaction, queue in one write.

    Posting is idempotent (the outbox dedupes on the job id), so a rerun never posts twice.
    """
    today = _today(job)
    with reading(engine) as session:
        loaded = load_request(session, job_id=job.id, payload=job.payload, today=today)
    if loaded.target is None:
        return JobResult({"error": texts.CMD_NO_GROUP.format(what="报告")}, failed=True)
    files = render_request(loaded, today=today, options=ReportOptions.from_settings(job.settings))
    with writing(engine) as session:
        count = post_files(session, target=loaded.target, files=files, dedupe=f"request:{job.id}")
    return JobResult({"text": f"已发送到部门群（{count} 条消息）", "posted": count})


def _today(job) -> date:
    return date.fromisoformat(job.payload["today"])
