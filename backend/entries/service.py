"""Duty entries: the one write path for creating, changing and deleting them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, exists
from sqlmodel import Session, col, func, select

from backend.entries.review import flag_entry, locks
from backend.models import DutyEntry, EntryStatus, Staff, saved_id, utcnow
from backend.models.review import MonthClosure

# Before saving: the entry a repeat of this message saved already, and whether the month is closed.
_SAVED_AND_CLOSED = select(
    select(DutyEntry.id).where(DutyEntry.client_key == bindparam("key")).scalar_subquery(),
    exists().where(col(MonthClosure.year_month) == bindparam("month")),
)
# Built once, as a statement built per call costs more than running it (the bot asks these).
_RECENT = (
    select(DutyEntry)
    .where(DutyEntry.staff_id == bindparam("staff_id"))
    .order_by(col(DutyEntry.id).desc())
    .limit(bindparam("limit"))
)
_BETWEEN = (
    select(DutyEntry)
    .where(DutyEntry.staff_id == bindparam("staff_id"))
    .where(DutyEntry.work_date >= bindparam("start"), DutyEntry.work_date <= bindparam("end"))
    .order_by(col(DutyEntry.work_date), col(DutyEntry.id))
)
_DAY_TOTAL = select(func.coalesce(func.sum(DutyEntry.hours), 0.0)).where(
    DutyEntry.staff_id == bindparam("staff_id"), DutyEntry.work_date == bindparam("day")
)


class EntryLocked(ValueError):
    """The entry has been approved, or its month closed, and can no longer change."""


def is_locked(session: Session, *, entry: DutyEntry) -> bool:
    """Tell whether an entry may no longer change (approved, or its month closed)."""
    return locks.is_locked(session, entry)


def month_is_closed(session: Session, *, day: date) -> bool:
    """Tell whether entries dated in this day's month may no longer be added or changed."""
    return locks.month_is_closed(session, day)


@dataclass(frozen=True)
class EntryFields:
    """What a member says about one piece of work."""

    work_date: date
    duty_id: int
    key_task_id: int | None
    task_type_code: str
    hours: float
    items: int | None
    description: str


def create_entry(
    session: Session, *, staff: Staff, fields: EntryFields, client_key: str, source: str = "chat"
) -> DutyEntry:
    """Save a new entry once per client_key (a repeat returns the first one) and flag it."""
    existing_id, closed = session.execute(
        _SAVED_AND_CLOSED, {"key": client_key, "month": locks.year_month(fields.work_date)}
    ).one()
    if existing_id is not None:
        return session.get_one(DutyEntry, existing_id)
    if closed:
        raise EntryLocked(fields.work_date)
    entry = DutyEntry(
        staff_id=saved_id(staff),
        department_id=staff.department_id,
        section_id=staff.section_id,
        client_key=client_key,
        source=source,
        **vars(fields),
    )
    session.add(entry)
    session.flush()
    flag_entry(session, entry=entry, locked=False)  # a new entry, in an open month
    return entry


def update_entry(session: Session, *, entry: DutyEntry, fields: EntryFields) -> DutyEntry:
    """Change an entry not yet locked; a returned one goes back to review."""
    if locks.is_locked(session, entry) or locks.month_is_closed(session, fields.work_date):
        raise EntryLocked(entry.id)
    for name, value in vars(fields).items():
        setattr(entry, name, value)
    entry.status, entry.updated_at = EntryStatus.SUBMITTED, utcnow()
    session.add(entry)
    session.flush()
    flag_entry(session, entry=entry, locked=False)  # checked above
    return entry


def delete_entry(session: Session, *, entry: DutyEntry) -> None:
    """Delete an entry not yet locked."""
    if locks.is_locked(session, entry):
        raise EntryLocked(entry.id)
    session.delete(entry)
    session.flush()


def own_entry(session: Session, *, staff: Staff, entry_id: int) -> DutyEntry | None:
    """Return the member's own entry with this id, or None."""
    entry = session.get(DutyEntry, entry_id)
    return entry if entry is not None and entry.staff_id == staff.id else None


def recent_entries(session: Session, *, staff: Staff, limit: int = 20) -> list[DutyEntry]:
    """Return the member's latest entries, newest first (the numbering 修改 n refers to)."""
    rows = session.execute(_RECENT, {"staff_id": staff.id, "limit": limit})
    return list(rows.scalars())


def entries_between(session: Session, *, staff: Staff, start: date, end: date) -> list[DutyEntry]:
    """Return the member's entries dated start..end, by date then time of entry."""
    rows = session.execute(_BETWEEN, {"staff_id": staff.id, "start": start, "end": end})
    return list(rows.scalars())


def day_total(session: Session, *, staff: Staff, day: date) -> float:
    """Return the hours the member has logged for one day."""
    return float(session.execute(_DAY_TOTAL, {"staff_id": staff.id, "day": day}).scalar_one())
