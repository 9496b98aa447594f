"""Console accounts, the audit log of changes, console tasks (imports/exports) and settings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import LargeBinary, Text
from sqlmodel import Column, Field, SQLModel

from backend.models.common import enum_column, utcnow


class AccountRole(StrEnum):
    """What a console account may see and do."""

    ADMIN = "admin"
    HEAD = "head"
    REVIEWER = "reviewer"


ACCOUNT_ROLE_LABELS = {
    AccountRole.ADMIN: "管理员",
    AccountRole.HEAD: "部门负责人",
    AccountRole.REVIEWER: "审核员",
}


class Account(SQLModel, table=True):
    """A console sign-in: administrator, department head or reviewer."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(default="", max_length=255, description="Empty: WeCom sign-in only")
    role: AccountRole = Field(sa_type=enum_column())
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", unique=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class AuditLog(SQLModel, table=True):
    """One change made through the console or the CLI: who, what, on what, when."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    actor: str = Field(default="", max_length=64, description="Username at the time, or 'cli'")
    action: str = Field(max_length=50, index=True)
    target: str = Field(max_length=200)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ConsoleTask(SQLModel, table=True):
    """A long import or export run for a console user, polled for progress."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    account_id: int = Field(foreign_key="account.id", index=True)
    status: str = Field(default="running", max_length=20)
    done: int = 0
    total: int = 0
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    filename: str | None = Field(default=None, max_length=200)
    result: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class ConsoleSetting(SQLModel, table=True):
    """One administrator setting stored as text (other areas keep their switches here)."""

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
