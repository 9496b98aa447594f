"""Console accounts, the audit log of changes and settings."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
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


def new_session_epoch() -> str:
    """Return a fresh random session stamp: cookies carrying an older one no longer sign in."""
    return secrets.token_hex(16)


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
    # Copied into the session cookie at sign-in and checked on every console request; sign-out,
    # a new password and (de)activation replace it, which ends every session of the account.
    session_epoch: str = Field(default_factory=new_session_epoch, max_length=32)


class AuditLog(SQLModel, table=True):
    """One change made through the console or the CLI: who, what, on what, when."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    actor: str = Field(default="", max_length=64, description="Username at the time, or 'cli'")
    action: str = Field(max_length=50, index=True)
    target: str = Field(max_length=200)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ConsoleSetting(SQLModel, table=True):
    """One administrator setting stored as text (other areas keep their switches here)."""

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
