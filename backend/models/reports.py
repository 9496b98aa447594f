"""Reports asked for in chat (本周汇总, 本月报告), rendered later by the scheduler."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.models.common import utcnow


class ReportRequest(SQLModel, table=True):
    """A department head's request for the weekly summary or monthly report of a period."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, description="weekly | monthly")
    department_id: int = Field(foreign_key="department.id", index=True)
    period_key: str = Field(max_length=20)
    period_end: str = Field(max_length=10, description="ISO date the report runs up to")
    requested_by: str = Field(max_length=64)
    status: str = Field(default="pending", max_length=20, index=True)
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
