"""The problem ledger (重点问题台账): findings, the unit's rectification and the follow-up check."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel

from backend.models.common import enum_column, utcnow


class FindingStatus(StrEnum):
    """Where a finding stands, from found to closed (销号)."""

    OPEN = "open"  # found, waiting for the unit's measure and deadline
    COMMITTED = "committed"  # measure and deadline committed, rectifying
    REPORTED = "reported"  # rectification report filed, waiting for the follow-up check
    CLOSED = "closed"  # checked and closed
    REOPENED = "reopened"  # the check found it not fixed: rectify again


class Finding(SQLModel, table=True):
    """One problem found in a unit, and how its rectification goes."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int | None = Field(default=None, foreign_key="evaluationround.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    point_id: int | None = Field(default=None, foreign_key="evaluationpoint.id")
    problem: str = Field(sa_column=Column(Text, nullable=False))
    suggestion: str = Field(default="", sa_column=Column(Text, nullable=False))
    found_on: date
    found_by: int | None = Field(default=None, foreign_key="account.id")
    status: FindingStatus = Field(default=FindingStatus.OPEN, sa_type=enum_column(), index=True)
    measure: str = Field(default="", sa_column=Column(Text, nullable=False))
    deadline: date | None = Field(default=None, index=True)
    committed_at: datetime | None = None
    report: str = Field(default="", sa_column=Column(Text, nullable=False))
    reported_at: datetime | None = None
    check_note: str = Field(default="", sa_column=Column(Text, nullable=False))
    checked_at: datetime | None = None
    closed_at: datetime | None = None
    reminded_for: date | None = Field(default=None, description="Deadline last reminded about")
    overdue_for: date | None = Field(default=None, description="Deadline last reported overdue")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FindingEvent(SQLModel, table=True):
    """One step in a finding's history: found, committed, reported, closed, reopened."""

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    action: str = Field(max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    account_id: int | None = Field(default=None, foreign_key="account.id")
    actor: str = Field(default="", max_length=64)
    at: datetime = Field(default_factory=utcnow)
