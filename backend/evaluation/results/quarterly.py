"""平时考核: each evaluated member's figures over a quarter, as an XLSX workbook."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from backend.evaluation.errors import EvaluationError
from backend.evaluation.results import texts
from backend.models import Department
from backend.models.org import STAFFING_TYPE_LABELS
from backend.org.queries import department_names
from backend.reports.analytics import PersonMetrics, department_breakdown
from backend.reports.xlsx import Sheet, render_xlsx
from backend.schedule.calendar import load_calendar

WIDTHS = [10, 26, 20, 10, 10, 10, 10, 10, 10, 10, 10, 10, 16]


def quarter_period(year: object, quarter: object) -> tuple[date, date]:
    """Return the first and last day of a quarter; EvaluationError 400 on a bad year or quarter."""
    try:
        y, q = int(str(year)), int(str(quarter))
    except ValueError:
        raise EvaluationError(texts.ERR_QUARTER) from None
    if not (2000 <= y <= 2100 and 1 <= q <= 4):
        raise EvaluationError(texts.ERR_QUARTER)
    start = date(y, 3 * q - 2, 1)
    following = date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1)
    return start, following - timedelta(days=1)


def _tops(session: Session) -> list[Department]:
    query = select(Department).where(col(Department.parent_id).is_(None))
    return list(session.exec(query.order_by(col(Department.sort_order), col(Department.id))))


def quarter_people(session: Session, *, start: date, end: date) -> list[PersonMetrics]:
    """Return every evaluated member's figures, department by department in the county's order."""
    calendar = load_calendar(session)
    people: list[PersonMetrics] = []
    for top in _tops(session):
        people += department_breakdown(
            session, department_id=top.id or 0, start=start, end=end, calendar=calendar
        ).people
    return people


def _row(person: PersonMetrics, names: dict[int, str]) -> list[object]:
    f = person.figures
    return [
        person.name,
        names.get(person.department_id, ""),
        person.section_name,
        STAFFING_TYPE_LABELS.get(person.staffing_type, str(person.staffing_type)),
        f.expected_days,
        f.reported_days,
        f.reporting_rate.percent(2),
        f.entries,
        round(f.hours, 2),
        f.review_rate.percent(2),
        f.returned_entries,
        f.flagged_entries,
        f.core_focus.percent(2),
    ]


def quarterly_xlsx(session: Session, year: int, quarter: int) -> bytes:
    """Write the quarter's per-person 平时考核 summary, one row per evaluated member."""
    start, end = quarter_period(year, quarter)
    names = department_names(session)
    rows = [_row(p, names) for p in quarter_people(session, start=start, end=end)]
    title = texts.SHEET_QUARTERLY
    return render_xlsx([Sheet(title, texts.QUARTERLY_COLUMNS, rows, WIDTHS)])
