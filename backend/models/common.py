"""Helpers shared by the table modules."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import String


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (every stored timestamp is aware)."""
    return datetime.now(UTC)


def enum_column(length: int = 20) -> String:
    """Store an enum as its plain string value, so SQL and exports read it directly."""
    return String(length)
