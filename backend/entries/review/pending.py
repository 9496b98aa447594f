"""Read side of review: which entries wait for whom, as display-ready views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from backend.entries.review.labels import flag_labels
from backend.entries.review.rules import parse_flags
from backend.models import (
    Department,
    Duty,
    DutyEntry,
    EntryStatus,
    Staff,
    TaskType,
)


@dataclass(frozen=True)
class EntryView:
    """One entry as a reviewer sees it."""

    id: int
    staff_name: str
    department_name: str
    work_date: date
    duty_title: str
    task_type: str
    hours: float
    description: str
    status: str
    flags: list[str]
    flag_labels: list[str]
    return_reason: str | None

    def as_json(self) -> dict:
        """Return the view as a JSON-ready dict."""
        return {**self.__dict__, "work_date": self.work_date.isoformat()}


def _view_query():
    return (
        sa.select(
            col(DutyEntry.id),
            col(Staff.name),
            col(Department.name),
            col(DutyEntry.work_date),
            col(Duty.title),
            col(TaskType.name),
            col(DutyEntry.hours),
            col(DutyEntry.description),
            col(DutyEntry.status),
            col(DutyEntry.flags),
            col(DutyEntry.return_reason),
        )
        .join(Staff, col(Staff.id) == DutyEntry.staff_id)
        .join(Department, col(Department.id) == DutyEntry.department_id)
        .join(Duty, col(Duty.id) == DutyEntry.duty_id)
        .join(TaskType, col(TaskType.code) == DutyEntry.task_type_code)
    )


def _to_view(row) -> EntryView:
    codes = parse_flags(row[9])
    return EntryView(*(*row[:8], str(row[8]), codes, flag_labels(codes), row[10]))


def entry_view(session: Session, entry_id: int) -> EntryView | None:
    """Return one entry's view, or None."""
    row = session.execute(_view_query().where(col(DutyEntry.id) == entry_id)).first()
    return None if row is None else _to_view(row)


def pending_views(
    session: Session,
    *,
    department_ids: list[int] | None,
    reviewer_id: int | None = None,
    flagged_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[EntryView]:
    """Return submitted entries (not the reviewer's own), flagged first, then oldest first."""
    flagged = case((col(DutyEntry.flags) == "", 1), else_=0)
    stmt = _pending_filter(_view_query(), department_ids, flagged_only, reviewer_id)
    stmt = stmt.order_by(flagged, DutyEntry.work_date, DutyEntry.id).offset(offset).limit(limit)
    return [_to_view(row) for row in session.execute(stmt)]


def _pending_filter(stmt, department_ids, flagged_only: bool, reviewer_id: int | None = None):
    stmt = stmt.where(DutyEntry.status == EntryStatus.SUBMITTED)
    if reviewer_id is not None:
        stmt = stmt.where(DutyEntry.staff_id != reviewer_id)
    if department_ids is not None:
        stmt = stmt.where(col(DutyEntry.department_id).in_(department_ids))
    if flagged_only:
        stmt = stmt.where(DutyEntry.flags != "")
    return stmt


def pending_counts(
    session: Session, *, department_ids: list[int] | None, reviewer_id: int | None = None
) -> tuple[int, int]:
    """Return (flagged, unflagged) counts of submitted entries (not the reviewer's own)."""
    flagged = func.sum(case((col(DutyEntry.flags) != "", 1), else_=0))
    stmt = _pending_filter(select(func.count(), flagged), department_ids, False, reviewer_id)
    total, with_flags = session.exec(stmt.select_from(DutyEntry)).one()
    return int(with_flags or 0), int(total) - int(with_flags or 0)


def pending_date_range(
    session: Session, *, department_ids: list[int] | None
) -> tuple[date, date] | None:
    """Return the first and last work date of submitted entries, or None."""
    stmt = select(func.min(DutyEntry.work_date), func.max(DutyEntry.work_date))
    first, last = session.exec(_pending_filter(stmt, department_ids, False)).one()
    return None if first is None else (first, last)
