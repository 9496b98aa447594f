"""Run records: a job acts at most once per period, even across restarts and two schedulers."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

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
