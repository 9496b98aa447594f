"""The scheduler lease: of several scheduler processes only the holder acts."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import insert, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from backend.db import session_scope
from backend.models import SchedulerLease, utcnow

LEASE_NAME = "scheduler"


def holder_name() -> str:
    """Return a name unique to this process (host, pid and a random part)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def try_acquire(engine: Engine, *, holder: str, seconds: float) -> bool:
    """Take or renew the lease for `seconds`; False while another live process holds it."""
    now = utcnow()
    until = now + timedelta(seconds=seconds)
    with session_scope(engine) as session:
        taken = session.execute(
            update(SchedulerLease)
            .where(
                SchedulerLease.name == LEASE_NAME,
                or_(SchedulerLease.holder == holder, col(SchedulerLease.expires_at) < now),
            )
            .values(holder=holder, expires_at=until)
        )
        if taken.rowcount == 1:
            return True
    return _create(engine, holder, until)


def _create(engine: Engine, holder: str, until) -> bool:
    try:
        with session_scope(engine) as session:
            session.execute(
                insert(SchedulerLease).values(name=LEASE_NAME, holder=holder, expires_at=until)
            )
    except IntegrityError:
        return False
    return True


def release(engine: Engine, *, holder: str) -> None:
    """Give the lease up at once so a waiting process takes over without delay."""
    with session_scope(engine) as session:
        session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


def current_holder(engine: Engine) -> str | None:
    """Return who holds the lease now (None when nobody or expired)."""
    with session_scope(engine) as session:
        row = session.get(SchedulerLease, LEASE_NAME)
        return row.holder if row is not None and row.expires_at > utcnow() else None
