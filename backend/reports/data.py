"""What a report is made of, and loading it: analytics figures plus gaps, ratings and surveys."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from backend.reports import queries
from backend.reports.analytics import (
    DepartmentBreakdown,
    DepartmentMetrics,
    Figures,
    PersonMetrics,
    Scoring,
    WeekPoint,
    all_departments_metrics,
    department_breakdown,
    department_metrics,
    load_scoring,
    weekly_trend,
)
from backend.reports.periods import Period
from backend.reports.queries import Gaps
from backend.schedule import calendar as calendar_service
from backend.schedule.patterns import member_calendars
from backend.schedule.workdays import WorkCalendar
from backend.supervision import service as supervision
from backend.surveys import queries as survey_queries

log = logging.getLogger(__name__)
TREND_WEEKS = 8
LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class RatingSummary:
    """Citizen ratings of a department over the period (码上监督)."""

    total: int
    by_level: dict[str, int]
    bad: int
    bad_rate: float
    work_orders: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class SurveyLine:
    """A department's score in one survey."""

    title: str
    kind: str
    score: float
    responses: int


@dataclass(frozen=True)
class DepartmentReport:
    """Everything a department's weekly summary or monthly report shows."""

    period: Period
    breakdown: DepartmentBreakdown
    previous: Figures
    trend: list[WeekPoint]
    task_types: dict[str, str]
    gaps: Gaps | None = None
    ratings: RatingSummary | None = None
    survey_scores: list[SurveyLine] = field(default_factory=list)
    missing_days: dict[int, int] | None = None  # staff id → unexcused workdays without entry

    def days_missing(self, person: PersonMetrics) -> int:
        """Return the member's workdays with no entry, registered absences excused."""
        if self.missing_days is not None:
            return self.missing_days.get(person.staff_id, 0)
        return max(0, person.figures.expected_days - person.figures.reported_days)

    @property
    def name(self) -> str:
        """The department's name."""
        return self.breakdown.department.name

    @property
    def figures(self) -> Figures:
        """The department's figures for the period."""
        return self.breakdown.department.figures


@dataclass(frozen=True)
class CountyReport:
    """Every department's figures for a period, with the previous period and the scoring."""

    period: Period
    departments: list[DepartmentMetrics]
    previous: list[DepartmentMetrics]
    scoring: Scoring


def load_calendar(session: Session) -> WorkCalendar:
    """Return the working-day calendar with the administrator's overrides."""
    return calendar_service.load_calendar(session)


def department_report(
    session: Session, *, department_id: int, period: Period, monthly: bool = False
) -> DepartmentReport:
    """Load a department's figures for the period, the one before, its trend and (monthly) gaps."""
    calendar = load_calendar(session)
    breakdown = department_breakdown(
        session, department_id=department_id, start=period.start, end=period.end, calendar=calendar
    )
    previous = period.previous()
    before = department_metrics(
        session,
        department_id=department_id,
        start=previous.start,
        end=previous.end,
        calendar=calendar,
    )
    trend = weekly_trend(
        session, department_id=department_id, end=period.end, weeks=TREND_WEEKS, calendar=calendar
    )
    extra = _monthly_extras(session, department_id, period) if monthly else {}
    late = [
        p.staff_id for p in breakdown.people if p.figures.expected_days > p.figures.reported_days
    ]
    extra["missing_days"] = missing_days(session, late, period, calendar)
    return DepartmentReport(
        period, breakdown, before.figures, trend, queries.task_type_names(session), **extra
    )


def missing_days(
    session: Session, staff_ids: list[int], period: Period, office: WorkCalendar
) -> dict[int, int]:
    """Count each member's own workdays of the period without an entry (absences excused)."""
    calendars = member_calendars(session, staff_ids, (period.start, period.end), office=office)
    counts: dict[int, int] = {}
    for calendar, group in calendars.groups(staff_ids):
        workdays = calendar.workdays_between(period.start, period.end)
        counts |= queries.missing_workdays(session, staff_ids=group, workdays=workdays)
    return counts


def _monthly_extras(session: Session, department_id: int, period: Period) -> dict:
    units = queries.unit_ids(session, department_id)
    return {
        "gaps": queries.gaps(session, units=units, start=period.start, end=period.end),
        "ratings": citizen_ratings(session, department_id=department_id, period=period),
        "survey_scores": survey_scores(session, department_id=department_id, period=period),
    }


def county_report(session: Session, *, period: Period) -> CountyReport:
    """Load every department's figures for the period and the one before."""
    calendar = load_calendar(session)
    previous = period.previous()
    return CountyReport(
        period,
        all_departments_metrics(session, start=period.start, end=period.end, calendar=calendar),
        all_departments_metrics(session, start=previous.start, end=previous.end, calendar=calendar),
        load_scoring(session),
    )


def citizen_ratings(
    session: Session, *, department_id: int, period: Period
) -> RatingSummary | None:
    """Return the citizen ratings of the period, or None when there are none."""
    raw = supervision.rating_summary(
        session, department_id=department_id, start=period.start, end=period.end
    )
    if not raw["total"]:
        return None
    orders = raw.get("work_orders", {})
    return RatingSummary(
        total=raw["total"],
        by_level=dict(raw["by_level"]),
        bad=raw["bad"],
        bad_rate=raw["bad_rate"],
        work_orders=orders.get("total", 0),
        overdue=orders.get("overdue", 0),
    )


def survey_scores(session: Session, *, department_id: int, period: Period) -> list[SurveyLine]:
    """Return the department's scores in the surveys open during the period."""
    start = datetime.combine(period.start, time.min, tzinfo=LOCAL)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=LOCAL)
    scores = survey_queries.department_scores(
        session, department_id=department_id, start=start, end=end
    )
    return [SurveyLine(s.title, s.kind, s.score, s.responses) for s in scores]
