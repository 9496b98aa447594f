"""The SQL side of analytics: a few GROUP BY queries that return small aggregated rows."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import Date, case, func, literal_column
from sqlmodel import Session, col, select

from backend.models import Absence, Department, Duty, DutyEntry, EntryStatus, Section, Staff
from backend.models.org import FunctionType, StaffingType

LONG_PERIOD_DAYS = 92


@dataclass(frozen=True)
class EntryCell:
    """Entries of one member on one duty with one task type."""

    staff_id: int
    duty_id: int
    task_type_code: str
    entries: int
    hours: float
    reviewed: int
    returned: int
    flagged: int


@dataclass(frozen=True)
class Member:
    """An evaluated member (leaders and inactive members are left out)."""

    staff_id: int
    name: str
    department_id: int
    section_id: int | None
    staffing_type: StaffingType
    joined_on: date | None


def department_scope(session: Session, department_id: int) -> list[int]:
    """Return the department's id and the ids of its affiliated institutions."""
    children = select(Department.id).where(Department.parent_id == department_id)
    return [department_id, *session.exec(children).all()]


def top_departments(session: Session) -> dict[int, tuple[int, str]]:
    """Map every department id to (top-level department id, name of that top department)."""
    query = select(col(Department.id), col(Department.parent_id), col(Department.name))
    rows = [
        (dept_id, parent_id, name)
        for dept_id, parent_id, name in session.exec(query)
        if dept_id is not None
    ]
    names = {row[0]: row[2] for row in rows}
    tops = {row[0]: row[1] or row[0] for row in rows}
    return {dept: (top, names[top]) for dept, top in tops.items()}


def entry_cells(
    session: Session, *, start: date, end: date, scope: Collection[int] | None
) -> list[EntryCell]:
    """Sum entries per member, duty and task type between start and end (both included)."""
    keys = (col(DutyEntry.staff_id), col(DutyEntry.duty_id), col(DutyEntry.task_type_code))
    query = sa.select(
        *keys,
        func.count(),
        func.sum(DutyEntry.hours),
        func.sum(_count_if(col(DutyEntry.status) != _literal(EntryStatus.SUBMITTED.value))),
        func.sum(_count_if(col(DutyEntry.status) == _literal(EntryStatus.RETURNED.value))),
        func.sum(_count_if(col(DutyEntry.flags) != _literal(""))),
    ).where(_work_date(session, scope, start, end).between(start, end))
    rows = _run(session, _in_scope(query, scope).group_by(*keys))
    return [EntryCell(*(*row[:4], float(row[4] or 0), *map(int, row[5:]))) for row in rows]


def reported_days(
    session: Session,
    *,
    start: date,
    end: date,
    days_off: Collection[date],
    scope: Collection[int] | None,
) -> dict[int, int]:
    """Count, per member, the distinct working days with at least one entry.

    Counted as all distinct days with entries minus those on `days_off` (weekends, holidays),
    which are few: cheaper than testing every entry against the list of working days.
    """
    days = func.count(func.distinct(DutyEntry.work_date))
    within = _work_date(session, scope, start, end).between(start, end)
    query = _in_scope(select(DutyEntry.staff_id, days).where(within), scope)
    counts = dict(_run(session, query.group_by(DutyEntry.staff_id)))
    if days_off:
        off = select(DutyEntry.staff_id, days).where(col(DutyEntry.work_date).in_(list(days_off)))
        for staff_id, count in _run(session, _in_scope(off, scope).group_by(DutyEntry.staff_id)):
            counts[staff_id] -= count
    return {staff_id: int(count) for staff_id, count in counts.items()}


def _literal(value: str):
    # Constants written into the SQL: SQLite re-reads bound parameters for every row, which
    # made this GROUP BY twice as slow over a million entries. Only our own enum values go here.
    return literal_column("'" + value.replace("'", "''") + "'")


def _count_if(condition):
    return case((condition, literal_column("1")), else_=literal_column("0"))


def _work_date(session: Session, scope: Collection[int] | None, start: date, end: date):
    """Return the work_date column to filter on; `+work_date` for a long county-wide SQLite scan.

    SQLite keeps no statistics on how much of the table a date range holds, so it would walk the
    work_date index and fetch every row from the table (8 s over a million entries). The unary
    plus (SQLite's documented way to rule out an index for one term) lets it walk a covering
    index in GROUP BY order instead: no table reads and no sort. PostgreSQL plans this itself;
    short periods and single departments keep the date and department indexes.
    """
    if scope is not None or (end - start).days < LONG_PERIOD_DAYS:
        return col(DutyEntry.work_date)
    if session.get_bind().dialect.name != "sqlite":
        return col(DutyEntry.work_date)
    return literal_column("+dutyentry.work_date", type_=Date)


def members(session: Session, *, scope: Collection[int] | None) -> list[Member]:
    """Return the evaluated members of the departments in scope (all when scope is None)."""
    query = sa.select(
        col(Staff.id),
        col(Staff.name),
        col(Staff.department_id),
        col(Staff.section_id),
        col(Staff.staffing_type),
        col(Staff.joined_on),
    ).where(col(Staff.is_leader).is_(False), col(Staff.active).is_(True))
    if scope is not None:
        query = query.where(col(Staff.department_id).in_(list(scope)))
    rows = session.execute(query.order_by(col(Staff.id))).all()
    return [Member(r[0], r[1], r[2], r[3], StaffingType(r[4]), r[5]) for r in rows]


def absences(
    session: Session, *, start: date, end: date, scope: Collection[int] | None
) -> dict[int, list[tuple[date, date]]]:
    """Return, per member in scope, their leave and trips (请假/出差) overlapping the period."""
    query = (
        select(col(Absence.staff_id), col(Absence.start_date), col(Absence.end_date))
        .join(Staff, col(Staff.id) == col(Absence.staff_id))
        .where(col(Absence.start_date) <= end, col(Absence.end_date) >= start)
    )
    if scope is not None:
        query = query.where(col(Staff.department_id).in_(list(scope)))
    spans: dict[int, list[tuple[date, date]]] = {}
    for staff_id, first, last in session.exec(query).all():
        spans.setdefault(staff_id, []).append((max(first, start), min(last, end)))
    return spans


def days_logged(session: Session, *, staff_days: Mapping[int, Collection[date]]) -> set:
    """Return the (member, day) pairs among `staff_days` that have at least one entry."""
    wanted = {(staff_id, day) for staff_id, days in staff_days.items() for day in days}
    if not wanted:
        return set()
    query = (
        select(col(DutyEntry.staff_id), col(DutyEntry.work_date))
        .where(
            col(DutyEntry.staff_id).in_(list(staff_days)),
            col(DutyEntry.work_date).in_(sorted({day for _, day in wanted})),
        )
        .distinct()
    )
    return {tuple(row) for row in session.exec(query).all()} & wanted


def duty_catalogue(
    session: Session, *, scope: Collection[int] | None
) -> dict[int, tuple[int, FunctionType]]:
    """Map every active duty id to (department id, function type)."""
    query = select(col(Duty.id), col(Duty.department_id), col(Duty.function_type)).where(
        col(Duty.active).is_(True)
    )
    if scope is not None:
        query = query.where(col(Duty.department_id).in_(list(scope)))
    return {
        duty_id: (department_id, FunctionType(function_type))
        for duty_id, department_id, function_type in session.exec(query).all()
        if duty_id is not None
    }


def all_duty_types(session: Session, duty_ids: Collection[int]) -> dict[int, FunctionType]:
    """Return the function type of the given duties, active or not."""
    if not duty_ids:
        return {}
    query = select(col(Duty.id), col(Duty.function_type)).where(col(Duty.id).in_(list(duty_ids)))
    return {
        duty_id: FunctionType(function_type)
        for duty_id, function_type in session.exec(query).all()
        if duty_id is not None
    }


def section_names(session: Session, *, scope: Collection[int] | None) -> dict[int, str]:
    """Map section id to name for the departments in scope."""
    query = select(col(Section.id), col(Section.name))
    if scope is not None:
        query = query.where(col(Section.department_id).in_(list(scope)))
    return {
        section_id: name for section_id, name in session.exec(query).all() if section_id is not None
    }


def department_name(session: Session, department_id: int) -> str | None:
    """Return a department's name, or None when it does not exist."""
    department = session.get(Department, department_id)
    return department.name if department else None


def _in_scope(query, scope: Collection[int] | None):
    if scope is None:
        return query
    return query.where(col(DutyEntry.department_id).in_(list(scope)))


def _run(session: Session, query) -> list[tuple]:
    return [tuple(row) for row in session.exec(query).all()]
