"""Absences (请假, 出差): nobody is reminded on a day they are away."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.models import Absence, AbsenceKind, AbsenceSource, Staff, saved_id
from backend.org.queries import reviewable_department_ids

MAX_ABSENCE_DAYS = 92
MAX_DAYS_BACK = 31


class AbsenceError(ValueError):
    """An absence the service refuses; the message (Chinese) says why."""


def mark_absent(
    session: Session,
    *,
    staff: Staff,
    kind: AbsenceKind,
    start: date,
    end: date,
    set_by: Staff,
    today: date,
    note: str = "",
) -> Absence:
    """Record that `staff` is away from `start` to `end` (both included)."""
    _check_range(start, end, today)
    if set_by.id != staff.id:
        ensure_may_set_for(session, setter=set_by, staff=staff)
    absence = Absence(
        staff_id=saved_id(staff),
        kind=kind,
        start_date=start,
        end_date=end,
        set_by_id=set_by.id,
        note=note[:200],
    )
    session.add(absence)
    session.flush()
    return absence


def _check_range(start: date, end: date, today: date) -> None:
    if end < start:
        raise AbsenceError("结束日期早于开始日期，请检查后重新发送。")
    if (end - start).days + 1 > MAX_ABSENCE_DAYS:
        raise AbsenceError(f"一次最多登记{MAX_ABSENCE_DAYS}天。")
    if start < today - timedelta(days=MAX_DAYS_BACK):
        raise AbsenceError(f"只能登记{MAX_DAYS_BACK}天内的请假或出差。")


def ensure_may_set_for(session: Session, *, setter: Staff, staff: Staff) -> None:
    """Refuse unless `setter` reviews the department of `staff`."""
    allowed = reviewable_department_ids(session, setter)
    if allowed is not None and staff.department_id not in allowed:
        raise AbsenceError("只有本单位的审核人可以为他人登记请假或出差。")


def cancel_absences(session: Session, *, staff: Staff, day: date) -> int:
    """Remove the absences of `staff` that cover `day`; return how many."""
    rows = session.exec(_covering(day).where(Absence.staff_id == staff.id)).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def _covering(day: date):
    return select(Absence).where(col(Absence.start_date) <= day, col(Absence.end_date) >= day)


def absent_on(session: Session, *, day: date):
    """Return a subquery of the staff ids away on `day` (for reminder queries)."""
    return (
        select(Absence.staff_id)
        .where(col(Absence.start_date) <= day, col(Absence.end_date) >= day)
        .scalar_subquery()
    )


_ABSENCES_SINCE = (  # built once: the bot asks it on every 今天/本周
    select(Absence)
    .where(Absence.staff_id == bindparam("staff_id"), col(Absence.end_date) >= bindparam("since"))
    .order_by(col(Absence.start_date))
)


def absences_of(session: Session, *, staff: Staff, since: date) -> list[Absence]:
    """Return the member's absences ending on or after `since`, earliest first."""
    rows = session.execute(_ABSENCES_SINCE, {"staff_id": staff.id, "since": since})
    return list(rows.scalars())


def find_colleague(session: Session, *, setter: Staff, name: str) -> list[Staff]:
    """Return active staff called `name` (or with that WeCom userid) the setter may manage."""
    allowed = reviewable_department_ids(session, setter)
    if allowed == []:
        raise AbsenceError("只有审核人可以为他人登记请假或出差。")
    stmt = select(Staff).where(Staff.active, (Staff.name == name) | (Staff.wecom_userid == name))
    if allowed is not None:
        stmt = stmt.where(col(Staff.department_id).in_(allowed))
    return list(session.exec(stmt))


@dataclass(frozen=True)
class AbsenceRow:
    """One absence as the console lists it."""

    absence: Absence
    name: str
    department_id: int
    set_by: str


MAX_LISTED = 500


def listed_absences(
    session: Session,
    *,
    since: date,
    department_ids: Collection[int] | None,
    source: AbsenceSource | None = None,
) -> list[AbsenceRow]:
    """Return absences ending on or after `since` in these departments (None: all), latest first."""
    setter = aliased(Staff)
    stmt = (
        select(Absence, Staff.name, Staff.department_id, setter.name)
        .join(Staff, col(Staff.id) == Absence.staff_id)
        .outerjoin(setter, col(setter.id) == Absence.set_by_id)
        .where(col(Absence.end_date) >= since)
        .order_by(col(Absence.start_date).desc(), col(Absence.id).desc())
        .limit(MAX_LISTED)
    )
    if department_ids is not None:
        stmt = stmt.where(col(Staff.department_id).in_(list(department_ids)))
    if source is not None:
        stmt = stmt.where(col(Absence.source) == source)
    return [AbsenceRow(row, name, dept, by or "") for row, name, dept, by in session.exec(stmt)]
