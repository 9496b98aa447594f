"""Task types and duty entries (履职数据)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, Text
from sqlmodel import Column, Field, SQLModel

from backend.models.common import enum_column, utcnow


class TaskType(SQLModel, table=True):
    """One of the five task types (任务类型), with its standard hours per entry."""

    code: str = Field(primary_key=True, max_length=30)
    name: str = Field(max_length=30, unique=True)
    sort_order: int = 0
    standard_hours: float = 8.0


DEFAULT_TASK_TYPES = [
    ("business", "业务", 1, 8.0),
    ("party", "党建", 2, 4.0),
    ("finance_hr", "财务和组织人事", 3, 6.0),
    ("petition", "信访投诉", 4, 6.0),
    ("general", "综合性工作", 5, 6.0),
]


class EntryStatus(StrEnum):
    """Where an entry is in review."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class DutyEntry(SQLModel, table=True):
    """What one member did on one workday for one duty."""

    __table_args__ = (
        Index("ix_dutyentry_staff_date", "staff_id", "work_date"),
        Index("ix_dutyentry_dept_date", "department_id", "work_date"),
        # Covering index in GROUP BY order for county-wide analytics (revision c5_analytics).
        Index(
            "ix_dutyentry_analytics",
            "staff_id",
            "duty_id",
            "task_type_code",
            "work_date",
            "hours",
            "status",
            "flags",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    department_id: int = Field(foreign_key="department.id")
    section_id: int | None = Field(default=None, foreign_key="section.id")
    work_date: date = Field(index=True)
    duty_id: int = Field(foreign_key="duty.id", index=True)
    key_task_id: int | None = Field(default=None, foreign_key="keytask.id")
    task_type_code: str = Field(foreign_key="tasktype.code", max_length=30)
    hours: float
    items: int | None = None
    description: str = Field(sa_column=Column(Text, nullable=False))
    status: EntryStatus = Field(default=EntryStatus.SUBMITTED, sa_type=enum_column(), index=True)
    flags: str = Field(default="", max_length=1000, description="Comma-separated review flags")
    reviewer_id: int | None = Field(default=None, foreign_key="staff.id")
    reviewed_at: datetime | None = None
    return_reason: str | None = Field(default=None, max_length=500)
    source: str = Field(default="chat", max_length=20)
    client_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
