"""Scheduling tables: calendar overrides, absences, reminder settings, notices."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from backend.models.common import enum_column, utcnow


class CalendarOverride(SQLModel, table=True):
    """An administrator's ruling on one day: a local holiday or a working day."""

    day: date = Field(primary_key=True)
    is_workday: bool
    note: str = Field(default="", max_length=100)
    updated_at: datetime = Field(default_factory=utcnow)


class AbsenceKind(StrEnum):
    """Why a member is away (no reminders while away)."""

    LEAVE = "leave"
    TRIP = "trip"


ABSENCE_LABELS = {AbsenceKind.LEAVE: "请假", AbsenceKind.TRIP: "出差"}


class AbsenceSource(StrEnum):
    """Where an absence came from: typed in chat or the console, or a WeCom approval."""

    MANUAL = "manual"
    APPROVAL = "approval"


ABSENCE_SOURCE_LABELS = {AbsenceSource.MANUAL: "登记", AbsenceSource.APPROVAL: "企业微信审批"}


class Absence(SQLModel, table=True):
    """A member away from `start_date` to `end_date`, both included."""

    __table_args__ = (Index("ix_absence_staff_dates", "staff_id", "start_date", "end_date"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    kind: AbsenceKind = Field(sa_type=enum_column())
    start_date: date
    end_date: date
    set_by_id: int | None = Field(default=None, foreign_key="staff.id")
    note: str = Field(default="", max_length=200)
    source: AbsenceSource = Field(default=AbsenceSource.MANUAL, sa_type=enum_column())
    approval_sp_no: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class WorkPattern(SQLModel, table=True):
    """The weekdays a member or a section works, when that is not the office's Monday to Friday.

    Exactly one of staff_id and section_id is set; a member's own pattern wins over their
    section's. `weekdays` holds ISO weekday digits (1 = Monday … 7 = Sunday), e.g. "23456".
    """

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", unique=True)
    section_id: int | None = Field(default=None, foreign_key="section.id", unique=True)
    weekdays: str = Field(max_length=7)
    note: str = Field(default="", max_length=100)
    updated_at: datetime = Field(default_factory=utcnow)


class WorkDayException(SQLModel, table=True):
    """One dated exception for a member or a section: works that day, or is off that day."""

    __table_args__ = (
        UniqueConstraint("staff_id", "day"),
        UniqueConstraint("section_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    section_id: int | None = Field(default=None, foreign_key="section.id")
    day: date = Field(index=True)
    works: bool
    note: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class ReminderSetting(SQLModel, table=True):
    """Reminder times (HH:MM, local): global when department_id is None, else per department."""

    id: int | None = Field(default=None, primary_key=True)
    department_id: int | None = Field(default=None, foreign_key="department.id", unique=True)
    first_at: str = Field(default="16:30", max_length=5)
    second_at: str = Field(default="17:30", max_length=5)
    third_at: str = Field(default="09:00", max_length=5, description="next workday")
    notice_at: str = Field(default="10:00", max_length=5, description="next workday")
    review_deadline_days: int = Field(default=2, description="workdays an entry may wait")
    updated_at: datetime = Field(default_factory=utcnow)


class Notice(SQLModel, table=True):
    """A notice (通知) an administrator sent to staff of departments or to their groups."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=60)
    body: str = Field(sa_column=Column(Text, nullable=False))
    sender: str = Field(default="", max_length=64)
    department_ids: str = Field(default="", max_length=2000, description="comma-separated")
    to_staff: bool = True
    to_groups: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class NoticeRecipient(SQLModel, table=True):
    """One member a notice went to, with its outbox row and when they marked it read."""

    __table_args__ = (UniqueConstraint("notice_id", "wecom_userid"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    wecom_userid: str = Field(max_length=64)
    outbox_id: int | None = Field(default=None, foreign_key="outboxmessage.id")
    read_at: datetime | None = None


class NoticeGroupPost(SQLModel, table=True):
    """A notice posted to one department's group chat."""

    __table_args__ = (UniqueConstraint("notice_id", "department_id"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    department_id: int = Field(foreign_key="department.id")
    outbox_id: int | None = Field(default=None, foreign_key="outboxmessage.id")
