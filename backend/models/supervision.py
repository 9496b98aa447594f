"""QR supervision (码上监督): codes on desks, visitors' ratings, and work orders for bad ones."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, Text
from sqlmodel import Column, Field, SQLModel

from backend.models.common import enum_column, utcnow


class RatingLevel(StrEnum):
    """The five levels of the national government-service rating (政务服务"好差评")."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASIC = "basic"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"


BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)


class WorkOrderStatus(StrEnum):
    """Where a work order stands: waiting for the return visit, rectifying, closed."""

    OPEN = "open"
    VISITED = "visited"
    RECTIFIED = "rectified"
    CLOSED = "closed"


class SupervisionCode(SQLModel, table=True):
    """A QR code: a department's (staff_id None) or a staff member's public-facing post."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", unique=True)
    post_title: str = Field(default="", max_length=50)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Rating(SQLModel, table=True):
    """One visitor's rating of a unit (or a follow-up rating of a closed work order)."""

    __table_args__ = (Index("ix_rating_unit_day_network", "department_id", "rated_on", "network"),)

    id: int | None = Field(default=None, primary_key=True)
    code_id: int = Field(foreign_key="supervisioncode.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    level: RatingLevel = Field(sa_type=enum_column())
    tags: str = Field(default="", max_length=300, description="Reason tags, joined by '、'")
    comment: str = Field(default="", sa_column=Column(Text, nullable=False))
    rated_on: date = Field(index=True, description="Local date of the rating")
    dedupe_key: str = Field(max_length=120, unique=True, description="device:code:day or fu:order")
    is_followup: bool = False
    network: str = Field(default="", max_length=32, description="Keyed hash of the /24 or /64")
    created_at: datetime = Field(default_factory=utcnow)


class WorkOrder(SQLModel, table=True):
    """A bad rating or complaint the department must answer: return visit, rectification, close."""

    id: int | None = Field(default=None, primary_key=True)
    ticket: str = Field(max_length=16, unique=True, description="The visitor's query code")
    rating_id: int = Field(foreign_key="rating.id", unique=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    is_complaint: bool = False
    complaint: str = Field(default="", sa_column=Column(Text, nullable=False))
    contact_name: str = Field(default="", max_length=50)
    contact_phone: str = Field(default="", max_length=30)
    status: WorkOrderStatus = Field(default=WorkOrderStatus.OPEN, sa_type=enum_column())
    opened_on: date = Field(index=True)
    visit_due: date
    rectify_due: date
    visited_on: date | None = None
    visit_note: str = Field(default="", sa_column=Column(Text, nullable=False))
    rectified_on: date | None = None
    rectify_note: str = Field(default="", sa_column=Column(Text, nullable=False))
    closed_on: date | None = None
    close_note: str = Field(default="", sa_column=Column(Text, nullable=False))
    followup_rating_id: int | None = Field(default=None, foreign_key="rating.id", unique=True)
    announced_at: datetime | None = Field(
        default=None, index=True, description="When heads were told (NULL: waits for a digest)"
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
