"""Leases: of several scheduler (or long-connection) processes only the holder acts.

Every comparison and every expiry is on the database's clock (`db_now`), never the host's: two
scheduler hosts whose clocks differ by hours still agree on who holds the lease.
"""

from __future__ import annotations

import os
import socket
import uuid

from sqlalchemy import insert, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from backend.db import db_now, reading, writing
from backend.models import SCHEDULER_LEASE, SchedulerLease
from backend.ops.readiness import scheduler_holder

LEASE_NAME = SCHEDULER_LEASE


def holder_name() -> str:
    """Return a name unique to this process (host, pid and a random part)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def try_acquire(engine: Engine, *, holder: str, seconds: float, name: str = LEASE_NAME) -> bool:
    """Take or renew the lease `name` for `seconds`; False while another live process holds it."""
    with writing(engine) as session:
        taken = session.exec(
            update(SchedulerLease)
            .where(
                col(SchedulerLease.name) == name,
                or_(
                    col(SchedulerLease.holder) == holder, col(SchedulerLease.expires_at) < db_now()
                ),
            )
            .values(holder=holder, expires_at=db_now(seconds))
        )
        if taken.rowcount == 1:
            return True
    return _create(engine, holder, seconds, name)


def _create(engine: Engine, holder: str, seconds: float, name: str) -> bool:
    try:
        with writing(engine) as session:
            session.execute(
                insert(SchedulerLease).values(name=name, holder=holder, expires_at=db_now(seconds))
            )
    except IntegrityError:
        return False
    return True


def release(engine: Engine, *, holder: str, name: str = LEASE_NAME) -> None:
    """Give the lease up at once so a waiting process takes over without delay."""
    with writing(engine) as session:
        session.execute(
            update(SchedulerLease)
            .where(col(SchedulerLease.name) == name, col(SchedulerLease.holder) == holder)
            .values(expires_at=db_now(-1))
        )


def current_holder(engine: Engine) -> str | None:
    """Return who holds the lease now (None when nobody or expired)."""
    with reading(engine) as session:
        return scheduler_holder(session)
