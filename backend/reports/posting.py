"""Post each period's reports once: claim a run key per department, render, queue in the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from backend.models import Department
from backend.reports import texts
from backend.reports.data import DepartmentReport, department_report, load_calendar
from backend.reports.periods import Period
from backend.reports.queries import reporting_departments
from backend.reports.service import (
    ReportOptions,
    county_files,
    county_weekly_note,
    group_target,
    monthly_files,
    post_files,
    weekly_files_of,
)
from backend.reports.weekly import weekly_image
from backend.services.job_runs import claim_run, finish_run, run_exists

log = logging.getLogger(__name__)
JOB_NAMES = {"week": "weekly", "month": "monthly", "half": "half-year", "year": "annual"}


def run_key(period: Period, unit: str) -> str:
    """Return the run key of one post, e.g. weekly:2026-W47:dept-3 or monthly:2026-10:county."""
    return f"{JOB_NAMES[period.kind]}:{period.key}:{unit}"


def _once(session: Session, key: str, period: Period, post) -> bool:
    """Run `post()` unless `key` already ran; the claim commits with the queued messages."""
    if not claim_run(session, key=key, job=JOB_NAMES[period.kind]):
        return False
    count = post()
    finish_run(session, key=key, detail=f"{count} messages")
    return True


@dataclass(frozen=True)
class WeeklyPost:
    """A department's weekly summary, loaded and waiting for its image."""

    key: str
    target: tuple[str, str]
    report: DepartmentReport


def weekly_posts(session: Session, *, period: Period) -> list[WeeklyPost]:
    """Load the week of every department with a group chat whose summary is not posted yet."""
    posts = []
    for department in reporting_departments(session):
        target, key = group_target(department), run_key(period, f"dept-{department.id}")
        if target is None:
            log.info("department %s has no group chat: weekly summary skipped", department.id)
        elif not run_exists(session, key=key):
            report = department_report(session, department_id=department.id, period=period)
            posts.append(WeeklyPost(key, target, report))
    return posts


def render_weekly_images(posts: list[WeeklyPost]) -> list[bytes]:
    """Render every post's combined chart image."""
    return [weekly_image(post.report) for post in posts]


def post_weekly(
    session: Session, *, post: WeeklyPost, image: bytes, options: ReportOptions
) -> bool:
    """Queue the department's image and markdown, once for the week."""
    files = weekly_files_of(post.report, options=options, image=image)
    period = post.report.period

    def send() -> int:
        return post_files(session, target=post.target, files=files, dedupe=post.key)

    return _once(session, post.key, period, send)


def post_department_monthly(
    session: Session,
    *,
    department: Department,
    period: Period,
    today: date,
    options: ReportOptions,
) -> bool:
    """Post the department's PDF report and XLSX data once for the month."""
    target = group_target(department)
    if target is None:
        return False
    key = run_key(period, f"dept-{department.id}")
    note = texts.MONTHLY_POST_NOTE.format(department=department.name, label=period.label)

    def post() -> int:
        files = monthly_files(
            session, department_id=department.id, period=period, today=today, options=options
        )
        return post_files(session, target=target, files=files, note=note, dedupe=key)

    return _once(session, key, period, post)


def post_county(session: Session, *, period: Period, today: date, options: ReportOptions) -> bool:
    """Post the county summary (weekly markdown, or ranking files) to the administrators' group."""
    target = options.admin_target
    if target is None:
        log.info("LVZHI_ADMIN_CHAT is empty: county %s report skipped", period.key)
        return False
    key = run_key(period, "county")

    def post() -> int:
        if period.kind == "week":
            note = county_weekly_note(session, period=period)
            return post_files(session, target=target, files=[], note=note, dedupe=key)
        files = county_files(session, period=period, today=today)
        note = texts.COUNTY_POST_NOTE.format(title=files[0][0].removesuffix(".pdf"))
        return post_files(session, target=target, files=files, note=note, dedupe=key)

    return _once(session, key, period, post)


def departments(session: Session) -> list[Department]:
    """Return the departments that get reports, in the county's order."""
    return reporting_departments(session)


def first_workday_reached(session: Session, *, period: Period, today: date) -> bool:
    """Tell whether `today` is on or after the first working day following the period."""
    calendar = load_calendar(session)
    day = period.end + timedelta(days=1)
    while not calendar.is_workday(day) and day < period.end + timedelta(days=15):
        day += timedelta(days=1)
    return today >= day
