"""What may no longer change: approved entries and entries of a closed month."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from backend.models import DutyEntry, EntryStatus
from backend.models.review import MonthClosure


def year_month(day: date) -> str:
    """Return the YYYY-MM key of a day's month."""
    return day.strftime("%Y-%m")


def month_is_closed(session: Session, day: date) -> bool:
    """Tell whether the month of a day has been closed by an administrator."""
    stmt = select(MonthClosure.id).where(MonthClosure.year_month == year_month(day))
    return session.exec(stmt).first() is not None


def closed_months_between(session: Session, start: date, end: date) -> set[str]:
    """Return the closed months (YYYY-MM) overlapping start..end."""
    stmt = select(MonthClosure.year_month).where(
        col(MonthClosure.year_month) >= year_month(start),
        col(MonthClosure.year_month) <= year_month(end),
    )
    return set(session.exec(stmt))


def is_locked(session: Session, entry: DutyEntry) -> bool:
    """Tell whether an entry may no longer change: approved, or in a closed month."""
    return entry.status == EntryStatus.APPROVED or month_is_closed(session, entry.work_date)
