"""The few report-only queries: duties never performed, flagged or returned entries, targets."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, exists, func, or_
from sqlmodel import Session, col, select

from backend.entries.review.labels import flag_labels
from backend.models import (
    Absence,
    Department,
    Duty,
    DutyEntry,
    EntryStatus,
    Staff,
    TaskType,
    saved_ids,
)
from backend.models.org import FUNCTION_TYPE_LABELS

PROBLEM_ROWS = 60


@dataclass(frozen=True)
class DutyGap:
    """A duty with no entry in the period."""

    unit: str
    seq: int
    title: str
    function_type: str


@dataclass(frozen=True)
class ProblemEntry:
    """An entry the automatic check flagged or a reviewer returned."""

    work_date: date
    staff: str
    duty: str
    hours: float
    status: str
    reason: str


@dataclass(frozen=True)
class Gaps:
    """What the monthly report lists as gaps, besides low-reporting sections."""

    unperformed: list[DutyGap]
    problems: list[ProblemEntry]
    flagged: int
    returned: int


def unit_ids(session: Session, department_id: int) -> list[int]:
    """Return the department and its affiliated institutions."""
    children = select(Department.id).where(col(Department.parent_id) == department_id)
    return [department_id, *saved_ids(session.exec(children).all())]


def unperformed_duties(
    session: Session, *, units: Collection[int], start: date, end: date
) -> list[DutyGap]:
    """List the active duties of the units with no entry between start and end."""
    logged = exists().where(
        col(DutyEntry.duty_id) == Duty.id,
        col(DutyEntry.work_date) >= start,
        col(DutyEntry.work_date) <= end,
    )
    rows = session.exec(
        select(col(Department.name), col(Duty.seq), col(Duty.title), col(Duty.function_type))
        .join(Department, col(Department.id) == Duty.department_id)
        .where(col(Duty.department_id).in_(units), col(Duty.active), ~logged)
        .order_by(col(Department.sort_order), col(Department.id), col(Duty.seq))
    ).all()
    return [DutyGap(u, s, t, FUNCTION_TYPE_LABELS[f]) for u, s, t, f in rows]


def gaps(session: Session, *, units: Collection[int], start: date, end: date) -> Gaps:
    """Collect the duties never performed and the flagged or returned entries."""
    flagged, returned = problem_counts(session, units=units, start=start, end=end)
    return Gaps(
        unperformed=unperformed_duties(session, units=units, start=start, end=end),
        problems=problem_entries(session, units=units, start=start, end=end),
        flagged=flagged,
        returned=returned,
    )


def _problem_filter(units: Collection[int], start: date, end: date):
    problem = or_(col(DutyEntry.flags) != "", col(DutyEntry.status) == EntryStatus.RETURNED.value)
    return and_(
        col(DutyEntry.department_id).in_(units),
        col(DutyEntry.work_date) >= start,
        col(DutyEntry.work_date) <= end,
        problem,
    )


def problem_counts(
    session: Session, *, units: Collection[int], start: date, end: date
) -> tuple[int, int]:
    """Count the flagged entries and the returned entries of the period."""
    returned = func.sum(
        func.cast(col(DutyEntry.status) == EntryStatus.RETURNED.value, type_=Integer)
    )
    flagged = func.sum(func.cast(col(DutyEntry.flags) != "", type_=Integer))
    row = session.exec(
        select(func.coalesce(flagged, 0), func.coalesce(returned, 0)).where(
            _problem_filter(units, start, end)
        )
    ).one()
    return int(row[0]), int(row[1])


def problem_entries(
    session: Session, *, units: Collection[int], start: date, end: date, limit: int = PROBLEM_ROWS
) -> list[ProblemEntry]:
    """List the flagged or returned entries, returned ones first, newest first."""
    rows = session.exec(
        select(DutyEntry, Staff.name, Duty.title)
        .join(Staff, col(Staff.id) == DutyEntry.staff_id)
        .join(Duty, col(Duty.id) == DutyEntry.duty_id)
        .where(_problem_filter(units, start, end))
        .order_by(
            (col(DutyEntry.status) == EntryStatus.RETURNED.value).desc(),
            col(DutyEntry.work_date).desc(),
            col(DutyEntry.id),
        )
        .limit(limit)
    ).all()
    return [_problem(entry, name, title) for entry, name, title in rows]


def _problem(entry: DutyEntry, name: str, title: str) -> ProblemEntry:
    codes = [code for code in entry.flags.split(",") if code]
    reason = entry.return_reason if entry.status == EntryStatus.RETURNED else ""
    reason = "；".join([r for r in [reason or "", *flag_labels(codes)] if r])
    return ProblemEntry(entry.work_date, name, title, entry.hours, str(entry.status), reason)


def missing_workdays(
    session: Session, *, staff_ids: Collection[int], workdays: Collection[date]
) -> dict[int, int]:
    """Count each member's workdays (from joining) with no entry and no registered absence."""
    if not staff_ids or not workdays:
        return {}
    start, end = min(workdays), max(workdays)
    logged = session.exec(
        select(col(DutyEntry.staff_id), col(DutyEntry.work_date))
        .where(col(DutyEntry.staff_id).in_(staff_ids))
        .where(col(DutyEntry.work_date) >= start, col(DutyEntry.work_date) <= end)
        .distinct()
    ).all()
    away = session.exec(
        select(col(Absence.staff_id), col(Absence.start_date), col(Absence.end_date)).where(
            col(Absence.staff_id).in_(staff_ids),
            col(Absence.start_date) <= end,
            col(Absence.end_date) >= start,
        )
    ).all()
    members = select(col(Staff.id), col(Staff.joined_on)).where(col(Staff.id).in_(staff_ids))
    joined = {staff: day for staff, day in session.exec(members).all()}
    since = {staff: joined.get(staff) or start for staff in staff_ids}  # start: every workday
    covered = {(staff, day) for staff, day in logged}
    covered |= {
        (staff, day) for staff, first, last in away for day in workdays if first <= day <= last
    }
    return {
        staff: sum(1 for day in workdays if day >= since[staff] and (staff, day) not in covered)
        for staff in staff_ids
    }


def task_type_names(session: Session) -> dict[str, str]:
    """Map task-type code to Chinese name, in the configured order."""
    rows = session.exec(select(TaskType.code, TaskType.name).order_by(col(TaskType.sort_order)))
    return dict(rows.all())


def reporting_departments(session: Session) -> list[Department]:
    """Return the top-level departments in the county's order."""
    query = select(Department).where(col(Department.parent_id).is_(None))
    return list(session.exec(query.order_by(col(Department.sort_order), col(Department.id))).all())
