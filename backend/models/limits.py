"""Shared rate-limit counters: one row per limiter key, seen by every worker and node."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class RateLimitCounter(SQLModel, table=True):
    """One fixed-window counter of the shared rate limiter (used when no Redis is configured)."""

    key: str = Field(primary_key=True, max_length=200)
    hits: int = 0
    expires_at: float = Field(index=True, description="Unix time at which the window ends")
