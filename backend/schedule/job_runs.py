"""Run records: a job acts at most once per period, even across restarts and two schedulers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from backend.db import writing
from backend.models import JobRun, utcnow


def claim_run(session: Session, *, key: str, job: str) -> bool:
    """Record that `job` runs for the period `key`; False when it already ran (or runs)."""
    try:
        with session.begin_nested():
            session.execute(insert(JobRun).values(key=key, job=job, status="running"))
    except IntegrityError:
        return False
    return True


def finish_run(session: Session, *, key: str, detail: str | None = None) -> None:
    """Mark the run for `key` done, with an optional short summary."""
    session.execute(
        update(JobRun)
        .where(col(JobRun.key) == key)
        .values(status="done", finished_at=utcnow(), detail=detail)
    )


def run_exists(session: Session, *, key: str) -> bool:
    """Tell whether a run for `key` was already recorded."""
    return (
        session.execute(select(col(JobRun.key)).where(col(JobRun.key) == key)).first() is not None
    )


def once_a_day(engine: Engine, *, job: str, day: date, send: Callable[[Session], int]) -> int:
    """Run `send` in one transaction at most once for `job` on `day`; return what it sent."""
    key = f"{job}:{day.isoformat()}"
    with writing(engine) as session:
        if not claim_run(session, key=key, job=job):
            return 0
        sent = send(session)
        finish_run(session, key=key, detail=f"{sent} alerts")
    return sent
