"""The review queue with the flags as they stand now, computed for display and never stored.

A page that only reads (a GET) must not write, yet a stored flag can be stale: a colleague's
later copy, a second entry that fills the day, a changed standard. So the queue is ordered and
counted on the flags the rules give now. Approved entries and closed months keep what is stored,
as `flag_entries` would leave them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlmodel import Session

from backend.entries.review import flagging, locks, rules
from backend.entries.review.labels import flag_labels
from backend.entries.review.pending import EntryView, entry_view, pending_date_range
from backend.entries.review.queries import Scope
from backend.models import EntryStatus


@dataclass(frozen=True)
class PendingPage:
    """One page of the review queue and the queue's counts."""

    views: list[EntryView]
    flagged: int
    unflagged: int


def pending_page(
    session: Session,
    *,
    department_ids: list[int] | None,
    reviewer_id: int | None = None,
    flagged_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> PendingPage:
    """Return submitted entries (not the reviewer's own), flagged first, with current flags."""
    waiting = [
        (row, flags)
        for row, flags in _current(session, department_ids)
        if row.status == EntryStatus.SUBMITTED and row.staff_id != reviewer_id
    ]
    flagged = sum(1 for _, flags in waiting if flags)
    shown = [pair for pair in waiting if pair[1]] if flagged_only else waiting
    shown.sort(key=lambda pair: (not pair[1], pair[0].work_date, pair[0].id))
    views = [_view(session, row.id, flags) for row, flags in shown[offset : offset + limit]]
    return PendingPage([v for v in views if v is not None], flagged, len(waiting) - flagged)


def _current(session: Session, department_ids: list[int] | None) -> list[tuple]:
    """Return (row, flags) for the entries dated within the waiting entries' span."""
    span = pending_date_range(session, department_ids=department_ids)
    if span is None:
        return []
    ids = None if department_ids is None else tuple(department_ids)
    scope = Scope(start=span[0], end=span[1], department_ids=ids)
    pairs = flagging.compute_flags(session, scope, daily_limit=rules.DAILY_HOURS_LIMIT)
    frozen = locks.closed_months_between(session, span[0], span[1])
    changed = flagging.changed_flags(pairs, frozen=frozen)
    return [(row, rules.parse_flags(changed.get(row.id, row.flags))) for row, _ in pairs]


def _view(session: Session, entry_id: int, flags: list[str]) -> EntryView | None:
    view = entry_view(session, entry_id)
    if view is None:
        return None
    return dataclasses.replace(view, flags=flags, flag_labels=flag_labels(flags))
