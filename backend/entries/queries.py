"""Look-ups over duty entries for the console's lists."""

from __future__ import annotations

from datetime import tzinfo

from sqlmodel import Session, col

from backend.entries.export import entry_statement, format_row
from backend.entries.filters import EntryFilters
from backend.models import DutyEntry


def entry_page(
    session: Session, *, filters: EntryFilters, zone: tzinfo, offset: int, limit: int
) -> list[tuple[int, tuple]]:
    """Return one page of entries, newest first, each as its id and its display-ready values."""
    stmt = entry_statement(filters).add_columns(col(DutyEntry.id)).order_by(None)
    stmt = stmt.order_by(col(DutyEntry.work_date).desc(), col(DutyEntry.id).desc())
    rows = session.exec(stmt.offset(offset).limit(limit))
    return [(row[18], format_row(row, zone)) for row in rows]


def find_entry(session: Session, *, entry_id: int) -> DutyEntry | None:
    """Return the entry with this id, or None."""
    return session.get(DutyEntry, entry_id)
