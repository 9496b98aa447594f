"""The SQL behind the review rules: one row query and three GROUP BY aggregates.

For a single entry (the one just saved) the three aggregates ride along as scalar subqueries
of the row query, so checking it is one statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy import BindParameter, ColumnElement, bindparam, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.entries.review import rules
from backend.models import Department, Duty, DutyEntry, Staff, TaskType


@dataclass(frozen=True)
class Scope:
    """Which entries to flag, and how far the aggregates look."""

    start: date
    end: date
    department_ids: tuple[int, ...] | None = None
    entry_id: int | None = None
    staff_id: int | None = None
    description: str | None = None

    @property
    def window_start(self) -> date:
        """Return the first day the duplicate checks look back to."""
        return self.start - timedelta(days=rules.DUPLICATE_LOOKBACK_DAYS)


def trimmed_description() -> ColumnElement:
    """Return the SQL expression duplicates are compared on."""
    return func.trim(DutyEntry.description)


@dataclass(frozen=True)
class Shape:
    """Which optional filters a scope uses; statements are built once per shape."""

    departments: bool
    staff: bool
    text: bool
    entry: bool


def shape_of(scope: Scope) -> Shape:
    """Return the filter shape of a scope."""
    return Shape(
        departments=scope.department_ids is not None,
        staff=scope.staff_id is not None,
        text=scope.description is not None,
        entry=scope.entry_id is not None,
    )


def params_of(scope: Scope) -> dict:
    """Return the bound values for a statement of the scope's shape."""
    values: dict[str, object] = {
        "start": scope.start,
        "end": scope.end,
        "window_start": scope.window_start,
    }
    if scope.department_ids is not None:
        values["department_ids"] = list(scope.department_ids)
    if scope.staff_id is not None:
        values["staff_id"] = scope.staff_id
    if scope.description is not None:
        values["description"] = scope.description
    if scope.entry_id is not None:
        values["entry_id"] = scope.entry_id
    return values


def _filters(shape: Shape, *, window: bool, by_staff: bool, by_text: bool) -> list:
    start: BindParameter[date] = bindparam("window_start" if window else "start")
    conditions = [col(DutyEntry.work_date) >= start, col(DutyEntry.work_date) <= bindparam("end")]
    if shape.departments:
        ids: BindParameter[list[int]] = bindparam("department_ids", expanding=True)
        conditions.append(col(DutyEntry.department_id).in_(ids))
    if by_staff and shape.staff:
        conditions.append(col(DutyEntry.staff_id) == bindparam("staff_id"))
    if by_text and shape.text:
        conditions.append(trimmed_description() == func.trim(bindparam("description")))
    return conditions


@lru_cache(maxsize=32)
def _entry_rows_statement(shape: Shape):
    member_dept, duty_dept = aliased(Department), aliased(Department)
    standard = func.coalesce(Duty.standard_hours, TaskType.standard_hours)
    own_duty = or_(
        col(duty_dept.id) == member_dept.id,
        col(duty_dept.id) == member_dept.parent_id,
        col(duty_dept.parent_id) == member_dept.id,
    )
    stmt = (
        sa.select(
            col(DutyEntry.id),
            col(DutyEntry.staff_id),
            col(DutyEntry.department_id),
            col(DutyEntry.work_date),
            col(DutyEntry.description),
            trimmed_description().label("text"),
            col(DutyEntry.status),
            col(DutyEntry.flags),
            case((col(DutyEntry.hours) > standard, True), else_=False).label("over_standard"),
            case((own_duty, False), else_=True).label("foreign_duty"),
        )
        .join(Duty, col(Duty.id) == DutyEntry.duty_id)
        .join(TaskType, col(TaskType.code) == DutyEntry.task_type_code)
        .join(Staff, col(Staff.id) == DutyEntry.staff_id)
        .join(member_dept, col(member_dept.id) == Staff.department_id)
        .join(duty_dept, col(duty_dept.id) == Duty.department_id)
        .where(*_filters(shape, window=False, by_staff=True, by_text=False))
    )
    if shape.entry:
        stmt = stmt.where(col(DutyEntry.id) == bindparam("entry_id"))
    return stmt


def entry_rows(session: Session, scope: Scope) -> list:
    """Return each entry in scope with its per-row checks already decided in SQL."""
    return list(session.execute(_entry_rows_statement(shape_of(scope)), params_of(scope)))


SINGLE_ENTRY = Shape(departments=True, staff=True, text=True, entry=True)


@lru_cache(maxsize=1)
def _entry_checks_statement():
    # correlate(None): each aggregate scans duty entries of its own, not the outer row.
    aggregates = [
        statement(SINGLE_ENTRY).correlate(None).exists().label(name)
        for name, statement in (
            ("overfull", _overfull_statement),
            ("repeated", _repeated_statement),
            ("copied", _copied_statement),
        )
    ]
    return _entry_rows_statement(SINGLE_ENTRY).add_columns(*aggregates)


def entry_checks(session: Session, scope: Scope, limit: float):
    """Return one entry's row with `overfull`, `repeated` and `copied` decided, or None.

    `scope` names the entry, its member, department and description (see `flag_entry`).
    """
    params = {**params_of(scope), "limit": limit}
    return session.execute(_entry_checks_statement(), params).first()


@lru_cache(maxsize=32)
def _overfull_statement(shape: Shape):
    return (
        select(col(DutyEntry.staff_id), col(DutyEntry.work_date))
        .where(*_filters(shape, window=False, by_staff=True, by_text=False))
        .group_by(col(DutyEntry.staff_id), col(DutyEntry.work_date))
        .having(func.sum(DutyEntry.hours) > bindparam("limit"))
    )


def overfull_days(session: Session, scope: Scope, limit: float) -> set[tuple[int, date]]:
    """Return (staff, day) pairs whose total hours exceed the limit."""
    params = {**params_of(scope), "limit": limit}
    rows = session.execute(_overfull_statement(shape_of(scope)), params)
    return {(row[0], row[1]) for row in rows}


@lru_cache(maxsize=32)
def _repeated_statement(shape: Shape):
    text = trimmed_description()
    return (
        select(DutyEntry.staff_id, text)
        .where(*_filters(shape, window=True, by_staff=True, by_text=True))
        .group_by(col(DutyEntry.staff_id), text)
        .having(func.count(func.distinct(DutyEntry.work_date)) > 1)
    )


def repeated_texts(session: Session, scope: Scope) -> set[tuple[int, str]]:
    """Return (staff, text) pairs one member wrote on more than one day."""
    rows = session.execute(_repeated_statement(shape_of(scope)), params_of(scope))
    return {(row[0], row[1]) for row in rows}


@lru_cache(maxsize=32)
def _copied_statement(shape: Shape):
    text = trimmed_description()
    return (
        select(DutyEntry.department_id, text)
        .where(*_filters(shape, window=True, by_staff=False, by_text=True))
        .group_by(col(DutyEntry.department_id), text)
        .having(func.count(func.distinct(DutyEntry.staff_id)) > 1)
    )


def copied_texts(session: Session, scope: Scope) -> set[tuple[int, str]]:
    """Return (department, text) pairs written by more than one member of a department."""
    rows = session.execute(_copied_statement(shape_of(scope)), params_of(scope))
    return {(row[0], row[1]) for row in rows}
