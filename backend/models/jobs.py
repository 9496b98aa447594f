"""Long work run by the scheduler process: imports, exports, report rendering, contact sync."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, Text
from sqlmodel import Column, Field, SQLModel

from backend.models.common import enum_column, utcnow


class JobStatus(StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(SQLModel, table=True):
    """One piece of long work: what to do, who asked, its progress and its result."""

    __table_args__ = (Index("ix_job_status_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    status: JobStatus = Field(default=JobStatus.QUEUED, sa_type=enum_column())
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    dedupe_key: str | None = Field(default=None, max_length=200, index=True)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    input: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    done: int = 0
    total: int = 0
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    filename: str | None = Field(default=None, max_length=200)
    result: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    lease_holder: str | None = Field(default=None, max_length=100)
    lease_expires_at: datetime | None = None
    attempts: int = 0
