"""Report jobs: weekly summaries (Monday 09:00), monthly reports and half-year / annual notices
(checked each morning, posted from the first working day on). Reports asked for in chat are
jobs of the job runner (`backend.reports.requests`)."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy.engine import Engine

from backend.db import reading
from backend.models import saved_id
from backend.reports import posting
from backend.reports.periods import Period, last_complete
from backend.reports.service import ReportOptions
from backend.settings import Settings, cached_settings
from scheduled.job import Job, at_clock_with_settings

log = logging.getLogger(__name__)


def _context(settings: Settings | None, now: datetime | None):
    settings = settings or cached_settings()
    today = (now or datetime.now(settings.timezone)).date()
    return ReportOptions.from_settings(settings), today


def weekly_summaries(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Post last week's summary to each department group and the county summary, once."""
    options, today = _context(settings, now)
    period = last_complete("week", today)
    with reading(engine) as session:
        loaded = posting.weekly_posts(session, period=period)
    posted = 0
    for one in loaded:
        posted += posting.publish(engine, posting.render_weekly(one, options=options))
    return posted + _county(engine, period, today, options)


def monthly_reports(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """From the first working day of a month, post last month's reports once."""
    options, today = _context(settings, now)
    period = last_complete("month", today)
    with reading(engine) as session:
        if not posting.first_workday_reached(session, period=period, today=today):
            return 0
        department_ids = [saved_id(d) for d in posting.departments(session)]
    posted = 0
    for department_id in department_ids:
        with reading(engine) as session:
            loaded = posting.load_department_monthly(
                session, department_id=department_id, period=period
            )
        if loaded is not None:
            post = posting.render_department_monthly(loaded, today=today, options=options)
            posted += posting.publish(engine, post)
    return posted + _county(engine, period, today, options)


def _county(engine: Engine, period: Period, today: date, options: ReportOptions) -> int:
    with reading(engine) as session:
        loaded = posting.load_county(session, period=period, options=options)
    if loaded is None:
        return 0
    return int(posting.publish(engine, posting.render_county(loaded, today=today)))


def _county_notice(engine: Engine, kind: str, now, settings: Settings | None) -> int:
    options, today = _context(settings, now)
    period = last_complete(kind, today)
    with reading(engine) as session:
        if not posting.first_workday_reached(session, period=period, today=today):
            return 0
    return _county(engine, period, today, options)


def half_year_notice(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Post the half-year notice (通报) ranking the departments, once per half-year."""
    return _county_notice(engine, "half", now, settings)


def annual_notice(engine: Engine, *, now=None, settings: Settings | None = None) -> int:
    """Post the annual notice (通报) ranking the departments, once per year."""
    return _county_notice(engine, "year", now, settings)


MORNING = {"trigger": "cron", "hour": 9, "minute": 0}
JOBS = [
    Job(
        "weekly-summaries",
        {**MORNING, "day_of_week": "mon"},
        at_clock_with_settings(weekly_summaries),
    ),
    Job("monthly-reports", MORNING, at_clock_with_settings(monthly_reports)),
    Job("half-year-notice", {**MORNING, "minute": 10}, at_clock_with_settings(half_year_notice)),
    Job("annual-notice", {**MORNING, "minute": 20}, at_clock_with_settings(annual_notice)),
]
