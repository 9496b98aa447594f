"""The organisation: departments, sections, staff, duty catalogues and key tasks."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.models.common import enum_column, utcnow


class DepartmentKind(StrEnum):
    """A department proper, or a public institution affiliated to one."""

    DEPARTMENT = "department"
    INSTITUTION = "institution"


class ChatTargetKind(StrEnum):
    """How the department's group chat is reached."""

    APPCHAT = "appchat"
    WEBHOOK = "webhook"
    BOT = "bot"  # a group the intelligent bot is in, by its chatid (long-connection mode)


class StaffingType(StrEnum):
    """The four staffing types (编制类型)."""

    ADMINISTRATIVE = "administrative"
    INSTITUTION = "institution"
    LOGISTICS = "logistics"
    NON_ESTABLISHED = "non_established"


STAFFING_TYPE_LABELS = {
    StaffingType.ADMINISTRATIVE: "机关行政编制",
    StaffingType.INSTITUTION: "事业编制",
    StaffingType.LOGISTICS: "机关工勤编制",
    StaffingType.NON_ESTABLISHED: "编外",
}


class Role(StrEnum):
    """What a member may do beyond logging their own work."""

    STAFF = "staff"
    REVIEWER = "reviewer"
    HEAD = "head"
    ADMIN = "admin"


class FunctionType(StrEnum):
    """The function type (职能类型) of a duty."""

    CORE = "core"
    GENERAL = "general"
    AUXILIARY = "auxiliary"


FUNCTION_TYPE_LABELS = {
    FunctionType.CORE: "核心职能",
    FunctionType.GENERAL: "一般职能",
    FunctionType.AUXILIARY: "辅助职能",
}


class Department(SQLModel, table=True):
    """A department, or an institution whose parent is a department."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    short_name: str = Field(default="", max_length=30)
    kind: DepartmentKind = Field(default=DepartmentKind.DEPARTMENT, sa_type=enum_column())
    parent_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    wecom_department_id: int | None = Field(default=None, unique=True)
    chat_target_kind: ChatTargetKind | None = Field(default=None, sa_type=enum_column())
    chat_target: str | None = Field(default=None, max_length=200)
    chat_webhook_key: str | None = Field(
        default=None, max_length=200, description="a bot group's message-push key, for files"
    )
    sort_order: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Section(SQLModel, table=True):
    """A section (科室) inside a department."""

    __table_args__ = (UniqueConstraint("department_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    name: str = Field(max_length=100)


class Staff(SQLModel, table=True):
    """A member of staff, known to WeCom by userid."""

    id: int | None = Field(default=None, primary_key=True)
    wecom_userid: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=50)
    department_id: int = Field(foreign_key="department.id", index=True)
    section_id: int | None = Field(default=None, foreign_key="section.id", index=True)
    staffing_type: StaffingType = Field(sa_type=enum_column())
    post: str = Field(default="", max_length=50)
    is_leader: bool = Field(default=False, description="占领导职数: excluded from evaluation")
    is_principal_head: bool = Field(default=False, description="部门主要负责同志: gets notices")
    public_facing: bool = False
    role: Role = Field(default=Role.STAFF, sa_type=enum_column())
    active: bool = True
    joined_on: date | None = None
    # Personal fields for the staffing office's structure figures; only administrators see them.
    birth_date: date | None = None
    gender: str | None = Field(default=None, max_length=10, description="A staffing.Gender")
    education: str | None = Field(default=None, max_length=20, description="A staffing.Education")
    created_at: datetime = Field(default_factory=utcnow)


class Duty(SQLModel, table=True):
    """One item of a department's main duty list (三定规定)."""

    __table_args__ = (UniqueConstraint("department_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    seq: int
    title: str = Field(max_length=500)
    function_type: FunctionType = Field(sa_type=enum_column())
    default_task_type_code: str | None = Field(default=None, max_length=30)
    standard_hours: float | None = None
    active: bool = True


class KeyTask(SQLModel, table=True):
    """An annual key task (年度重点工作任务) of a department."""

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    year: int
    title: str = Field(max_length=500)


class KeyTaskDuty(SQLModel, table=True):
    """Links a key task to the duties it serves."""

    key_task_id: int = Field(foreign_key="keytask.id", primary_key=True)
    duty_id: int = Field(foreign_key="duty.id", primary_key=True)


class BotGroupChat(SQLModel, table=True):
    """A group chat where a member @-mentioned the intelligent bot: a candidate group route."""

    id: int | None = Field(default=None, primary_key=True)
    chatid: str = Field(max_length=200, unique=True)
    last_userid: str = Field(default="", max_length=64, description="who @-mentioned it last")
    first_seen_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
