"""Staffing (机构编制): approved posts per unit and output figures from other systems."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.models.common import enum_column, utcnow


class Gender(StrEnum):
    """Gender as the roster (实名制) records it."""

    MALE = "male"
    FEMALE = "female"


GENDER_LABELS = {Gender.MALE: "男", Gender.FEMALE: "女"}


class Education(StrEnum):
    """Highest education level, in the bands the staffing office reports."""

    POSTGRADUATE = "postgraduate"
    BACHELOR = "bachelor"
    COLLEGE = "college"
    SECONDARY = "secondary"


EDUCATION_LABELS = {
    Education.POSTGRADUATE: "研究生",
    Education.BACHELOR: "大学本科",
    Education.COLLEGE: "大学专科",
    Education.SECONDARY: "中专及以下",
}


class OutputSource(StrEnum):
    """Where output figures come from: the government-service system, the 12345 hotline."""

    GOVERNMENT_SERVICE = "government_service"
    HOTLINE = "hotline"
    OTHER = "other"


OUTPUT_SOURCE_LABELS = {
    OutputSource.GOVERNMENT_SERVICE: "政务服务",
    OutputSource.HOTLINE: "12345热线",
    OutputSource.OTHER: "其他业务系统",
}


class StaffingQuota(SQLModel, table=True):
    """A unit's approved posts (核定编制) and leadership posts (领导职数) from a date on."""

    __table_args__ = (UniqueConstraint("department_id", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    effective_from: date
    administrative_posts: int = 0
    institution_posts: int = 0
    logistics_posts: int = 0
    leadership_posts: int = 0
    note: str = Field(default="", max_length=200, description="The approval document, if any")
    created_at: datetime = Field(default_factory=utcnow)


class OutputRecord(SQLModel, table=True):
    """Cases a unit handled in a period, as another system reports them (业务办理)."""

    __table_args__ = (UniqueConstraint("department_id", "source", "period_start", "period_end"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    source: OutputSource = Field(sa_type=enum_column())
    period_start: date = Field(index=True)
    period_end: date
    cases: int
    on_time: int | None = None
    satisfaction: float | None = Field(default=None, description="Percent satisfied, 0–100")
    imported_at: datetime = Field(default_factory=utcnow)
