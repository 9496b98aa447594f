"""Readiness: is this instance able to do its work (database, schema, scheduler, outbox)?"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text, type_coerce
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from backend.db import db_now
from backend.migrate import alembic_config
from backend.models import (
    SCHEDULER_LEASE,
    Job,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
    SchedulerLease,
)


@dataclass(frozen=True)
class Check:
    """One readiness check: its name, whether it passed and a short Chinese explanation."""

    name: str
    ok: bool
    detail: str


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """Return the newest migration revision shipped with this code."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def readiness_checks(
    open_session: Callable[[], Session], *, outbox_max_age_seconds: float
) -> list[Check]:
    """Run every check on a reading session; a database that does not answer fails alone."""
    try:
        session = open_session()
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return [Check("database", False, "数据库无法连接")]
    return [
        Check("database", True, "数据库可以连接"),
        _schema(session),
        _scheduler(session),
        _outbox(session, outbox_max_age_seconds),
    ]


def _schema(session: Session) -> Check:
    try:
        current = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        current = None
    if current == head_revision():
        return Check("migrations", True, "数据库结构是最新版本")
    return Check(
        "migrations", False, f"数据库结构不是最新版本（{current}），请运行 lvzhi db upgrade"
    )


def scheduler_holder(session: Session, name: str = SCHEDULER_LEASE) -> str | None:
    """Return who holds a lease now (the scheduler's unless named), on the database's clock."""
    return session.execute(
        select(col(SchedulerLease.holder)).where(
            col(SchedulerLease.name) == name, col(SchedulerLease.expires_at) > db_now()
        )
    ).scalar_one_or_none()


def _scheduler(session: Session) -> Check:
    if scheduler_holder(session) is None:
        return Check(
            "scheduler", False, "定时任务进程没有在运行（租约已过期），请启动 lvzhi scheduler"
        )
    return Check("scheduler", True, "定时任务进程在运行")


def _outbox(session: Session, max_age_seconds: float) -> Check:
    overdue = session.execute(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.next_attempt_at) < db_now(-max_age_seconds),
        )
    ).scalar_one()
    if overdue:
        return Check("outbox", False, f"有 {overdue} 条消息超过 {max_age_seconds:g} 秒仍未发出")
    return Check("outbox", True, "待发消息没有积压")


@dataclass(frozen=True)
class Backlog:
    """Work waiting for the scheduler process, for /metrics."""

    outbox_pending: int
    outbox_oldest_due_seconds: float
    jobs_queued: int


def backlog_figures(session: Session) -> Backlog:
    """Count waiting messages and tasks, and how long the oldest due message has waited."""
    pending = col(OutboxMessage.status) == OutboxStatus.PENDING
    due_at = OutboxMessage.__table__.c.next_attempt_at  # type: ignore[attr-defined]
    count, oldest, now = session.execute(
        select(
            func.count(),
            func.min(due_at).filter(due_at <= db_now()),
            type_coerce(db_now(), due_at.type),
        ).where(pending)
    ).one()
    jobs = session.execute(
        select(func.count()).select_from(Job).where(col(Job.status) == JobStatus.QUEUED)
    ).scalar_one()
    waited = (now - oldest).total_seconds() if oldest is not None else 0.0
    return Backlog(count, max(waited, 0.0), jobs)


def ping_database(session: Session) -> None:
    """Ask the database a trivial question; raises when it does not answer."""
    session.execute(text("SELECT 1"))
