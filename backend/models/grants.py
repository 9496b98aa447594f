"""Role grants asked for by a roster import, waiting for an administrator's confirmation."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from backend.models.common import enum_column, utcnow
from backend.models.org import Role


class GrantStatus(StrEnum):
    """Where a requested role grant stands."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a later import asked for another role, or none


class RoleGrant(SQLModel, table=True):
    """A role (reviewer, head, admin) an import asked for a member; inert until confirmed."""

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    role: Role = Field(sa_type=enum_column())
    status: GrantStatus = Field(default=GrantStatus.PENDING, sa_type=enum_column(), index=True)
    source: str = Field(default="roster_import", max_length=50)
    requested_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow)
    decided_by: int | None = Field(default=None, foreign_key="account.id")
    decided_at: datetime | None = None
