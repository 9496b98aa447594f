"""Report jobs: weekly summaries (Monday 09:00), monthly reports and half-year / annual notices
(checked each morning, posted from the first working day on), and reports asked for in chat."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy.engine import Engine

from backend.db import read_scope
from backend.reports import posting, requests
from backend.reports.periods import Period, last_complete
from backend.reports.service import ReportOptions
from backend.settings import Settings, cached_settings
from scheduled.clock import process_clock
from scheduled.job import Job

log = logging.getLogger(__name__)


def _context(settings: Settings | None, now: datetime | None):
    settings = settings or cached_settings()
    today = (now or process_clock()()).date()
    return ReportOptions.from_settings(settings), today


def weekly_summaries(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Post last week's summary to each department group and the county summary, once."""
    options, today = _context(settings, now)
    period = last_complete("week", today)
    with read_scope(engine) as session:
        loaded = posting.weekly_posts(session, period=period)
    posted = 0
    for one in loaded:
        posted += posting.publish(engine, posting.render_weekly(one, options=options))
    return posted + _county(engine, period, today, options)


def monthly_reports(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """From the first working day of a month, post last month's reports once."""
    options, today = _context(settings, now)
    period = last_complete("month", today)
    with read_scope(engine) as session:
        if not posting.first_workday_reached(session, period=period, today=today):
            return 0
        department_ids = [d.id for d in posting.departments(session)]
    posted = 0
    for department_id in department_ids:
        with read_scope(engine) as session:
            loaded = posting.load_department_monthly(
                session, department_id=department_id, period=period
            )
        if loaded is not None:
            post = posting.render_department_monthly(loaded, today=today, options=options)
            posted += posting.publish(engine, post)
    return posted + _county(engine, period, today, options)


def _county(engine: Engine, period: Period, today: date, options: ReportOptions) -> int:
    with read_scope(engine) as session:
        loaded = posting.load_county(session, period=period, options=options)
    if loaded is None:
        return 0
    return int(posting.publish(engine, posting.render_county(loaded, today=today)))


def _county_notice(engine: Engine, kind: str, now, settings: Settings | None) -> int:
    options, today = _context(settings, now)
    period = last_complete(kind, today)
    with read_scope(engine) as session:
        if not posting.first_workday_reached(session, period=period, today=today):
            return 0
    return _county(engine, period, today, options)


def half_year_notice(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Post the half-year notice (通报) ranking the departments, once per half-year."""
    return _county_notice(engine, "half", now, settings)


def annual_notice(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Post the annual notice (通报) ranking the departments, once per year."""
    return _county_notice(engine, "year", now, settings)


def requested_reports(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Render the reports department heads asked for in chat and queue them to their groups."""
    options, today = _context(settings, now)
    with read_scope(engine) as session:
        pending = requests.pending_requests(session)
    posted = 0
    for request_id in pending:
        try:
            posted += requests.fulfil_request(
                engine, request_id=request_id, today=today, options=options
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
