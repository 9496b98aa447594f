"""Look-ups over notices and the schedule."""

from __future__ import annotations

from sqlmodel import Session

from backend.models import Notice


def find_notice(session: Session, *, notice_id: int) -> Notice | None:
    """Return the notice with this id, or None."""
    return session.get(Notice, notice_id)
