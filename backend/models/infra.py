"""Plumbing tables: conversation state, processed callbacks, outbox, tokens, job runs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, Text
from sqlmodel import Column, Field, SQLModel

from backend.models.common import enum_column, utcnow


class Conversation(SQLModel, table=True):
    """The half-filled form of one WeCom user, answer by answer."""

    wecom_userid: str = Field(primary_key=True, max_length=64)
    form: str = Field(max_length=50)
    step: str = Field(default="", max_length=50)
    answers: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    history: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    paused: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class ProcessedMessage(SQLModel, table=True):
    """A callback already handled, with the passive reply it got (kept at least 7 days)."""

    key: str = Field(primary_key=True, max_length=300)
    reply_xml: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class OutboxStatus(StrEnum):
    """Delivery state of an outbox row."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    """One message to deliver to WeCom: app message, app chat post or group-robot post."""

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20, description="app | appchat | webhook")
    target: str = Field(sa_column=Column(Text, nullable=False))
    msgtype: str = Field(max_length=30)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    blob: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    filename: str | None = Field(default=None, max_length=200)
    dedupe_key: str | None = Field(default=None, max_length=300, unique=True)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=enum_column())
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class WeComToken(SQLModel, table=True):
    """The access token shared by every process."""

    key: str = Field(primary_key=True, max_length=200)
    token: str = Field(max_length=1024)
    expires_at: datetime


class JobRun(SQLModel, table=True):
    """One scheduled job run for one period; the unique key stops a second run."""

    key: str = Field(primary_key=True, max_length=200)
    job: str = Field(max_length=50, index=True)
    status: str = Field(default="running", max_length=20)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


SCHEDULER_LEASE = "scheduler"  # the one lease row the scheduler processes compete for
BOT_LEASE = "longconn"  # the lease the `lvzhi bot` processes compete for (one connection per bot)


class SchedulerLease(SQLModel, table=True):
    """Which scheduler process may act, until when."""

    name: str = Field(primary_key=True, max_length=50)
    holder: str = Field(max_length=200)
    expires_at: datetime
