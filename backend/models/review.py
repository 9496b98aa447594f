"""Review tables: month closures and reopenings, API tokens, the chat review cursor."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.models.common import utcnow


class MonthClosure(SQLModel, table=True):
    """A closed month (YYYY-MM): no entry in it changes until it is reopened."""

    id: int | None = Field(default=None, primary_key=True)
    year_month: str = Field(max_length=7, unique=True)
    closed_by: int = Field(foreign_key="staff.id")
    closed_at: datetime = Field(default_factory=utcnow)


class MonthReopening(SQLModel, table=True):
    """The record of one reopening: who lifted which closure, when and why."""

    id: int | None = Field(default=None, primary_key=True)
    year_month: str = Field(max_length=7, index=True)
    reopened_by: int = Field(foreign_key="staff.id")
    reopened_at: datetime = Field(default_factory=utcnow)
    reason: str = Field(max_length=500)
    closed_by: int = Field(foreign_key="staff.id")
    closed_at: datetime


class ApiToken(SQLModel, table=True):
    """A staff member's API token, stored only as its sha256 hex digest."""

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ReviewCursor(SQLModel, table=True):
    """The entry a reviewer is looking at in chat, so "通过" / "退回" know what they act on."""

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    entry_id: int = Field(description="No foreign key: the author may delete the entry meanwhile")
    updated_at: datetime = Field(default_factory=utcnow)
