"""The SQL behind the review rules: one row query and three GROUP BY aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, case, func, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.models import Department, Duty, DutyEntry, Staff, TaskType
from backend.review import rules


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


ROW_COLUMNS = (
    DutyEntry.id,
    DutyEntry.staff_id,
    DutyEntry.department_id,
    DutyEntry.work_date,
    DutyEntry.description,
    DutyEntry.status,
    DutyEntry.flags,
)


def trimmed_description() -> ColumnElement:
    """Return the SQL expression duplicates are compared on."""
    return func.trim(DutyEntry.description)


def _filters(scope: Scope, start: date, *, by_staff: bool, by_text: bool) -> list:
    conditions = [col(DutyEntry.work_date) >= start, col(DutyEntry.work_date) <= scope.end]
    if scope.department_ids is not None:
        conditions.append(col(DutyEntry.department_id).in_(scope.department_ids))
    if by_staff and scope.staff_id is not None:
        conditions.append(DutyEntry.staff_id == scope.staff_id)
    if by_text and scope.description is not None:
        conditions.append(trimmed_description() == func.trim(literal(scope.description)))
    return conditions


def entry_rows(session: Session, scope: Scope) -> list:
    """Return each entry in scope with its per-row checks already decided in SQL."""
    member_dept, duty_dept = aliased(Department), aliased(Department)
    standard = func.coalesce(Duty.standard_hours, TaskType.standard_hours)
    own_duty = or_(
        duty_dept.id == member_dept.id,
        duty_dept.id == member_dept.parent_id,
        duty_dept.parent_id == member_dept.id,
    )
    stmt = (
        select(
            DutyEntry.id,
            DutyEntry.staff_id,
            DutyEntry.department_id,
            DutyEntry.work_date,
            DutyEntry.description,
            trimmed_description().label("text"),
            DutyEntry.status,
            DutyEntry.flags,
            case((col(DutyEntry.hours) > standard, True), else_=False).label("over_standard"),
            case((own_duty, False), else_=True).label("foreign_duty"),
        )
        .join(Duty, col(Duty.id) == DutyEntry.duty_id)
        .join(TaskType, col(TaskType.code) == DutyEntry.task_type_code)
        .join(Staff, col(Staff.id) == DutyEntry.staff_id)
        .join(member_dept, member_dept.id == Staff.department_id)
        .join(duty_dept, duty_dept.id == Duty.department_id)
        .where(*_filters(scope, scope.start, by_staff=True, by_text=False))
    )
    if scope.entry_id is not None:
        stmt = stmt.where(DutyEntry.id == scope.entry_id)
    return list(session.exec(stmt))


def overfull_days(session: Session, scope: Scope, limit: float) -> set[tuple[int, date]]:
    """Return (staff, day) pairs whose total hours exceed the limit."""
    stmt = (
        select(DutyEntry.staff_id, DutyEntry.work_date)
        .where(*_filters(scope, scope.start, by_staff=True, by_text=False))
        .group_by(DutyEntry.staff_id, DutyEntry.work_date)
        .having(func.sum(DutyEntry.hours) > limit)
    )
    return {(row[0], row[1]) for row in session.exec(stmt)}


def repeated_texts(session: Session, scope: Scope) -> set[tuple[int, str]]:
    """Return (staff, text) pairs one member wrote on more than one day."""
    text = trimmed_description()
    stmt = (
        select(DutyEntry.staff_id, text)
        .where(*_filters(scope, scope.window_start, by_staff=True, by_text=True))
        .group_by(DutyEntry.staff_id, text)
        .having(func.count(func.distinct(DutyEntry.work_date)) > 1)
    )
    return {(row[0], row[1]) for row in session.exec(stmt)}


def copied_texts(session: Session, scope: Scope) -> set[tuple[int, str]]:
    """Return (department, text) pairs written by more than one member of a department."""
    text = trimmed_description()
    stmt = (
        select(DutyEntry.department_id, text)
        .where(*_filters(scope, scope.window_start, by_staff=False, by_text=True))
        .group_by(DutyEntry.department_id, text)
        .having(func.count(func.distinct(DutyEntry.staff_id)) > 1)
    )
    return {(row[0], row[1]) for row in session.exec(stmt)}
