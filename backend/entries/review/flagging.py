"""Compute review flags for entries from the SQL aggregates, and store them in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from backend.entries.review import queries, rules
from backend.entries.review.queries import Scope
from backend.models import DutyEntry, EntryStatus
from backend.schedule.patterns import member_calendars, own_workday

TEXT_FLAGS = frozenset({rules.SHORT, rules.VAGUE})


def compute_flags(session: Session, scope: Scope, *, daily_limit: float) -> list[tuple]:
    """Return (row, flags) for every entry in scope; a row has id, status and stored flags."""
    rows = queries.entry_rows(session, scope)
    if not rows:
        return []
    overfull = queries.overfull_days(session, scope, daily_limit)
    repeated = queries.repeated_texts(session, scope)
    copied = queries.copied_texts(session, scope)
    workdays = _workdays(session, rows)
    result = []
    for row in rows:
        flags = _row_flags(row, workdays[row.staff_id, row.work_date])
        if (row.staff_id, row.work_date) in overfull:
            flags.add(rules.DAY_OVER_LIMIT)
        if not flags & TEXT_FLAGS:  # a bare "开会" repeated is one problem, not three
            flags |= _duplicate_flags(row, repeated, copied)
        result.append((row, rules.ordered(flags)))
    return result


def compute_entry_flags(session: Session, scope: Scope, *, daily_limit: float) -> list[str]:
    """Return the flags of the one entry `scope` names, in one statement (see `compute_flags`)."""
    row = queries.entry_checks(session, scope, daily_limit)
    if row is None:
        return []
    flags = _row_flags(row, own_workday(session, row.staff_id, row.work_date))
    if row.overfull:
        flags.add(rules.DAY_OVER_LIMIT)
    if not flags & TEXT_FLAGS:
        flags |= {rules.REPEATED} if row.repeated else set()
        flags |= {rules.COPIED} if row.copied else set()
    return rules.ordered(flags)


def _workdays(session: Session, rows: list) -> dict[tuple[int, date], bool]:
    """Tell for each (member, day) of these rows whether it is the member's working day."""
    days = [row.work_date for row in rows]
    calendars = member_calendars(session, {row.staff_id for row in rows}, (min(days), max(days)))
    pairs = {(row.staff_id, row.work_date) for row in rows}
    return {(staff, day): calendars[staff].is_workday(day) for staff, day in pairs}


def _duplicate_flags(row, repeated: set, copied: set) -> set[str]:
    flags = set()
    if (row.staff_id, row.text) in repeated:
        flags.add(rules.REPEATED)
    if (row.department_id, row.text) in copied:
        flags.add(rules.COPIED)
    return flags


def _row_flags(row, workday: bool) -> set[str]:
    flags = set()
    if row.over_standard:
        flags.add(rules.OVER_STANDARD)
    if row.foreign_duty:
        flags.add(rules.FOREIGN_DUTY)
    if not workday:
        flags.add(rules.NON_WORKDAY)
    text_flag = rules.description_flag(row.description)
    if text_flag:
        flags.add(text_flag)
    return flags


def store_flags(session: Session, changes: dict[int, str]) -> None:
    """Write changed flags in one executemany and keep loaded entries in step."""
    if not changes:
        return
    params = [{"id": entry_id, "flags": flags} for entry_id, flags in changes.items()]
    session.execute(update(DutyEntry), params)
    for entry_id, flags in changes.items():
        loaded = session.identity_map.get(identity_key(DutyEntry, entry_id))
        if loaded is not None:
            set_committed_value(loaded, "flags", flags)


def changed_flags(pairs: Iterable[tuple], *, frozen: set[str]) -> dict[int, str]:
    """Return the joined flags of open entries whose stored flags differ (frozen: closed months)."""
    changes = {}
    for row, flags in pairs:
        joined = ",".join(flags)
        month = row.work_date.strftime("%Y-%m")
        open_entry = row.status != EntryStatus.APPROVED and month not in frozen
        if open_entry and row.flags != joined:
            changes[row.id] = joined
    return changes
