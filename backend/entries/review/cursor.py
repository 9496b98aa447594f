"""Which entry a reviewer is looking at in chat (one row per reviewer)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from backend.entries.review.pending import EntryView, pending_views
from backend.models import Staff, saved_id
from backend.models.review import ReviewCursor
from backend.org.queries import reviewable_department_ids


def current_entry_id(session: Session, reviewer: Staff) -> int | None:
    """Return the entry the reviewer was last shown, or None."""
    cursor = session.get(ReviewCursor, reviewer.id)
    return None if cursor is None else cursor.entry_id


def remember_entry(session: Session, reviewer: Staff, entry_id: int, now: datetime) -> None:
    """Record the entry just shown to the reviewer."""
    cursor = session.get(ReviewCursor, reviewer.id) or ReviewCursor(
        staff_id=saved_id(reviewer), entry_id=0
    )
    cursor.entry_id = entry_id
    cursor.updated_at = now.astimezone(UTC)
    session.add(cursor)
    session.flush()


def forget_entry(session: Session, reviewer: Staff) -> None:
    """Drop the reviewer's chat cursor (nothing left to review)."""
    cursor = session.get(ReviewCursor, reviewer.id)
    if cursor is not None:
        session.delete(cursor)
        session.flush()


def first_flagged(session: Session, reviewer: Staff) -> EntryView | None:
    """Return the oldest flagged entry waiting for this reviewer, or None."""
    departments = reviewable_department_ids(session, reviewer)
    views = pending_views(
        session, department_ids=departments, reviewer_id=reviewer.id, flagged_only=True, limit=1
    )
    return views[0] if views else None
