"""Assisted review: flag entries that need a reviewer's eye (rules.py: what, queries.py: SQL)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session

from backend.entries.review import flagging, locks, rules
from backend.entries.review.labels import FLAG_LABELS, flag_label, flag_labels
from backend.entries.review.queries import Scope
from backend.models import DutyEntry

__all__ = ["FLAG_LABELS", "flag_entries", "flag_entry", "flag_label", "flag_labels"]


def flag_entry(
    session: Session,
    *,
    entry: DutyEntry,
    daily_limit: float = rules.DAILY_HOURS_LIMIT,
    locked: bool | None = None,
) -> list[str]:
    """Compute one entry's flags, store them comma-separated on it and return them.

    A locked entry (approved, or in a closed month) keeps its stored flags; `locked` is what
    the caller already knows of that (None: look it up).
    """
    session.add(entry)
    session.flush()
    scope = Scope(
        start=entry.work_date,
        end=entry.work_date,
        department_ids=(entry.department_id,),
        entry_id=entry.id,
        staff_id=entry.staff_id,
        description=entry.description,
    )
    flags = flagging.compute_entry_flags(session, scope, daily_limit=daily_limit)
    if not (locks.is_locked(session, entry) if locked is None else locked):
        entry.flags = ",".join(flags)
    return flags


def flag_entries(
    session: Session,
    *,
    department_ids: Iterable[int] | None = None,
    start: date,
    end: date,
    daily_limit: float = rules.DAILY_HOURS_LIMIT,
) -> dict[int, list[str]]:
    """Compute the flags of entries dated start..end (optionally by department); store in bulk."""
    ids = None if department_ids is None else tuple(department_ids)
    scope = Scope(start=start, end=end, department_ids=ids)
    pairs = flagging.compute_flags(session, scope, daily_limit=daily_limit)
    frozen = locks.closed_months_between(session, start, end)
    flagging.store_flags(session, flagging.changed_flags(pairs, frozen=frozen))
    return {row.id: flags for row, flags in pairs}
