"""Helpers shared by the table modules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import String


class _Saved(Protocol):
    @property
    def id(self) -> int | None: ...


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (every stored timestamp is aware)."""
    return datetime.now(UTC)


def enum_column(length: int = 20) -> String:
    """Store an enum as its plain string value, so SQL and exports read it directly."""
    return String(length)


def saved_id(row: _Saved) -> int:
    """Return the primary key of a row read from the database or flushed to it.

    Table ids are typed `int | None` because a new row has none until it is flushed; every row
    that came out of a query has one.
    """
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never flushed")
    return row.id


def saved_ids(ids: Iterable[int | None]) -> list[int]:
    """Return ids read from the database as ints: a stored row always has its id."""
    return [row_id for row_id in ids if row_id is not None]
