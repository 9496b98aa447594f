"""Post each period's reports once: load in a read snapshot, render without any lock, then claim
the run key and queue the files in one short write transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.db import writing
from backend.models import Department, saved_id
from backend.outbox.rules import GroupRoute, group_route
from backend.reports import texts
from backend.reports.data import (
    CountyReport,
    DepartmentReport,
    county_report,
    department_report,
    load_calendar,
)
from backend.reports.periods import Period
from backend.reports.queries import reporting_departments
from backend.reports.service import (
    File,
    ReportOptions,
    county_files_of,
    monthly_files_of,
    post_files,
    weekly_files_of,
)
from backend.reports.weekly import county_markdown, weekly_image
from backend.schedule.job_runs import claim_run, finish_run, run_exists

log = logging.getLogger(__name__)
JOB_NAMES = {"week": "weekly", "month": "monthly", "half": "half-year", "year": "annual"}


def run_key(period: Period, unit: str) -> str:
    """Return the run key of one post, e.g. weekly:2026-W47:dept-3 or monthly:2026-10:county."""
    return f"{JOB_NAMES[period.kind]}:{period.key}:{unit}"


Report = TypeVar("Report", DepartmentReport, CountyReport)


@dataclass(frozen=True)
class Loaded(Generic[Report]):
    """A report's data, loaded for a run key that had not run yet, and where it goes."""

    key: str
    target: GroupRoute
    report: Report


@dataclass(frozen=True)
class Post:
    """Rendered files (and an optional note) waiting to be queued once under their run key."""

    key: str
    target: GroupRoute
    files: list[File]
    note: str | None = None


def publish(engine: Engine, post: Post) -> bool:
    """Claim the run key, queue the files and finish the run in one short write transaction.

    False when the key was claimed meanwhile (another scheduler posted it): the files are dropped.
    """
    with writing(engine) as session:
        if not claim_run(session, key=post.key, job=post.key.partition(":")[0]):
            log.info("%s was posted meanwhile: rendered files dropped", post.key)
            return False
        count = post_files(
            session, target=post.target, files=post.files, note=post.note, dedupe=post.key
        )
        finish_run(session, key=post.key, detail=f"{count} messages")
    return True


# --- weekly -------------------------------------------------------------------------------


def weekly_posts(session: Session, *, period: Period) -> list[Loaded[DepartmentReport]]:
    """Load the week of every department with a group chat whose summary is not posted yet."""
    posts = []
    for department in reporting_departments(session):
        target, key = group_route(department), run_key(period, f"dept-{department.id}")
        if target is None:
            log.info("department %s has no group chat: weekly summary skipped", department.id)
        elif not run_exists(session, key=key):
            report = department_report(session, department_id=saved_id(department), period=period)
            posts.append(Loaded(key, target, report))
    return posts


def render_weekly(loaded: Loaded[DepartmentReport], *, options: ReportOptions) -> Post:
    """Render a department's weekly image and markdown (pure)."""
    log.info("rendering %s", loaded.key)
    image = weekly_image(loaded.report)
    return Post(
        loaded.key, loaded.target, weekly_files_of(loaded.report, options=options, image=image)
    )


# --- monthly and county -------------------------------------------------------------------


def load_department_monthly(
    session: Session, *, department_id: int, period: Period
) -> Loaded[DepartmentReport] | None:
    """Load a department's month, or None when it has no group or its report was posted."""
    department = session.get_one(Department, department_id)
    target, key = group_route(department), run_key(period, f"dept-{department_id}")
    if target is None or run_exists(session, key=key):
        return None
    report = department_report(session, department_id=department_id, period=period, monthly=True)
    return Loaded(key, target, report)


def render_department_monthly(
    loaded: Loaded[DepartmentReport], *, today: date, options: ReportOptions
) -> Post:
    """Render the department's PDF report and XLSX data with the note that goes with them."""
    log.info("rendering %s", loaded.key)
    report = loaded.report
    files = monthly_files_of(report, today=today, options=options)
    note = texts.MONTHLY_POST_NOTE.format(department=report.name, label=report.period.label)
    return Post(loaded.key, loaded.target, files, note)


def load_county(
    session: Session, *, period: Period, options: ReportOptions
) -> Loaded[CountyReport] | None:
    """Load every department's figures, or None without an admin group or when already posted."""
    target = options.admin_target
    if target is None:
        log.info("LVZHI_ADMIN_CHAT is empty: county %s report skipped", period.key)
        return None
    key = run_key(period, "county")
    if run_exists(session, key=key):
        return None
    return Loaded(key, target, county_report(session, period=period))


def render_county(loaded: Loaded[CountyReport], *, today: date) -> Post:
    """Render the county summary: weekly markdown, or the ranking files with a note."""
    log.info("rendering %s", loaded.key)
    county = loaded.report
    if county.period.kind == "week":
        return Post(loaded.key, loaded.target, [], county_markdown(county))
    files = county_files_of(county, today=today)
    note = texts.COUNTY_POST_NOTE.format(title=files[0][0].removesuffix(".pdf"))
    return Post(loaded.key, loaded.target, files, note)


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
