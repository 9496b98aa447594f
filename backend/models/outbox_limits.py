"""WeCom's per-member limits for app messages: who was sent what when, kept for an hour."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class OutboxMemberSend(SQLModel, table=True):
    """One app message sent (or being sent) to one member, counted against WeCom's limits."""

    __table_args__ = (Index("ix_outboxmembersend_member", "wecom_userid", "sent_at"),)

    id: int | None = Field(default=None, primary_key=True)
    wecom_userid: str = Field(max_length=64)
    sent_at: datetime = Field(index=True, description="by the database's clock")
