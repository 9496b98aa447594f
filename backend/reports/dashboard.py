"""Dashboard figures aggregated in SQL, limited to the departments an account may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.entries.review.current import pending_page
from backend.models import Department, DutyEntry, EntryStatus, Staff


@dataclass(frozen=True)
class DepartmentBar:
    """One department's hours this month, for the bar chart."""

    name: str
    hours: float
    entries: int
    share: float


@dataclass(frozen=True)
class DashboardMetrics:
    """What the dashboard shows."""

    month_label: str
    entries: int
    hours: float
    reporters: int
    active_staff: int
    submitted: int
    flagged: int
    returned: int
    departments: list[DepartmentBar]

    @property
    def reporting_rate(self) -> str:
        """Share of active staff who logged something this month."""
        if not self.active_staff:
            return "—"
        return f"{self.reporters / self.active_staff * 100:.1f}%"


def _scoped(stmt, column, allowed: set[int] | None):
    return stmt if allowed is None else stmt.where(col(column).in_(allowed or {-1}))


def dashboard_metrics(db: Session, *, allowed: set[int] | None, today: date) -> DashboardMetrics:
    """Return this month's entry figures and review backlog within the visible departments."""
    start = today.replace(day=1)
    month = _scoped(
        select(
            func.count(),
            func.coalesce(func.sum(DutyEntry.hours), 0),
            func.count(col(DutyEntry.staff_id).distinct()),
        ).where(DutyEntry.work_date >= start, DutyEntry.work_date <= today),
        DutyEntry.department_id,
        allowed,
    )
    entries, hours, reporters = db.exec(month).one()
    staff = _scoped(select(func.count()).where(Staff.active), Staff.department_id, allowed)
    return DashboardMetrics(
        month_label=f"{today.year}年{today.month}月",
        entries=entries,
        hours=float(hours),
        reporters=reporters,
        active_staff=db.exec(staff).one(),
        submitted=_backlog(db, allowed, EntryStatus.SUBMITTED),
        flagged=_flagged(db, allowed),
        returned=_backlog(db, allowed, EntryStatus.RETURNED),
        departments=_department_bars(db, allowed, start, today),
    )


def _backlog(db: Session, allowed, status: EntryStatus) -> int:
    stmt = select(func.count()).where(DutyEntry.status == status)
    return db.exec(_scoped(stmt, DutyEntry.department_id, allowed)).one()


def _flagged(db: Session, allowed: set[int] | None) -> int:
    """Count waiting entries with flags as the review queue shows them (computed, not stored)."""
    scope = None if allowed is None else sorted(allowed)
    return pending_page(db, department_ids=scope, limit=0).flagged


def _department_bars(db: Session, allowed, start: date, end: date) -> list[DepartmentBar]:
    stmt = (
        select(Department.name, func.sum(DutyEntry.hours), func.count())
        .join(Department, col(Department.id) == DutyEntry.department_id)
        .where(DutyEntry.work_date >= start, DutyEntry.work_date <= end)
        .group_by(Department.name)
        .order_by(func.sum(DutyEntry.hours).desc())
        .limit(15)
    )
    rows = db.exec(_scoped(stmt, DutyEntry.department_id, allowed)).all()
    top = max((float(r[1]) for r in rows), default=0.0) or 1.0
    return [DepartmentBar(r[0], float(r[1]), r[2], float(r[1]) / top * 100) for r in rows]
