"""Report jobs: weekly summaries (Monday 09:00), monthly reports and half-year / annual notices
(checked each morning, posted from the first working day on), and reports asked for in chat."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.db import session_scope
from backend.models import Department
from backend.reports import posting, requests
from backend.reports.periods import last_complete
from backend.reports.service import ReportOptions
from backend.settings import Settings, cached_settings
from scheduled.clock import process_clock
from scheduled.job import Job

log = logging.getLogger(__name__)


def _context(settings: Settings | None, now: datetime | None):
    settings = settings or cached_settings()
    today = (now or process_clock()()).date()
    return ReportOptions.from_settings(settings), today


def _department_ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return [d.id for d in posting.departments(session)]


def weekly_summaries(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Post last week's summary to each department group and the county summary, once."""
    options, today = _context(settings, now)
    period = last_complete("week", today)
    with Session(engine) as session:
        posts = posting.weekly_posts(session, period=period)
    images = posting.render_weekly_images(posts)
    posted = 0
    for post, image in zip(posts, images, strict=True):
        with session_scope(engine) as session:
            posted += posting.post_weekly(session, post=post, image=image, options=options)
    with session_scope(engine) as session:
        posted += posting.post_county(session, period=period, today=today, options=options)
    return posted


def monthly_reports(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """From the first working day of a month, post last month's reports once."""
    options, today = _context(settings, now)
    period = last_complete("month", today)
    with Session(engine) as session:
        if not posting.first_workday_reached(session, period=period, today=today):
            return 0
    posted = 0
    for department_id in _department_ids(engine):
        with session_scope(engine) as session:
            department = session.get(Department, department_id)
            posted += posting.post_department_monthly(
                session, department=department, period=period, today=today, options=options
            )
    with session_scope(engine) as session:
        posted += posting.post_county(session, period=period, today=today, options=options)
    return posted


def _county_notice(engine: Engine, kind: str, now, settings: Settings | None) -> int:
    options, today = _context(settings, now)
    period = last_complete(kind, today)
    with session_scope(engine) as session:
        if not posting.first_workday_reached(session, period=period, today=today):
            return 0
        return int(posting.post_county(session, period=period, today=today, options=options))


def half_year_notice(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Post the half-year notice (通报) ranking the departments, once per half-year."""
    return _county_notice(engine, "half", now, settings)


def annual_notice(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Post the annual notice (通报) ranking the departments, once per year."""
    return _county_notice(engine, "year", now, settings)


def requested_reports(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Render the reports department heads asked for in chat and queue them to their groups."""
    options, today = _context(settings, now)
    with Session(engine) as session:
        pending = requests.pending_requests(session)
    posted = 0
    for request_id in pending:
        try:
            with session_scope(engine) as session:
                posted += requests.fulfil_request(
                    session, request_id=request_id, today=today, options=options
                )
        except Exception:  # one bad request must not block the others; it is retried
            log.exception("report request %s failed", request_id)
    return posted


MORNING = {"trigger": "cron", "hour": 9, "minute": 0}
JOBS = [
    Job("weekly-summaries", {**MORNING, "day_of_week": "mon"}, weekly_summaries),
    Job("monthly-reports", MORNING, monthly_reports),
    Job("half-year-notice", {**MORNING, "minute": 10}, half_year_notice),
    Job("annual-notice", {**MORNING, "minute": 20}, annual_notice),
    Job("requested-reports", {"trigger": "interval", "seconds": 30}, requested_reports),
]
