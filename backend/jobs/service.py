"""The only module that writes the job table: enqueue, claim with a lease, progress, finish.

Leases are compared against the database's clock (never a host's), so two scheduler hosts
whose clocks differ cannot both run one job. Every function that takes an engine opens its
own short write transaction; `enqueue` joins the caller's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from backend.db import db_now, reading, writing
from backend.models import Job, JobStatus
from backend.settings import Settings

KEEP_FINISHED = timedelta(days=7)  # finished jobs (and their files) are deleted after this
PRUNE_BATCH = 100  # jobs deleted per write transaction (each may hold a large file)
INTERRUPTED = "任务因后台进程中断而失败，请重新提交"


@dataclass(frozen=True)
class ClaimedJob:
    """A job this runner holds the lease of: what to do and with what."""

    id: int
    kind: str
    account_id: int | None
    payload: dict
    input: bytes | None
    attempts: int
    settings: Settings | None = None  # the runner's process settings, set when it runs

    @property
    def run_settings(self) -> Settings:
        """The runner's settings, for the work functions (the runner always sets them)."""
        if self.settings is None:
            raise RuntimeError(f"job {self.id} runs without the runner's settings")
        return self.settings


@dataclass
class JobResult:
    """What finished work hands back: a message (summary or error report), maybe a file."""

    message: dict = field(default_factory=dict)
    filename: str | None = None
    data: bytes | None = None
    failed: bool = False


def enqueue(
    session: Session,
    *,
    kind: str,
    account_id: int | None = None,
    payload: dict | None = None,
    input: bytes | None = None,
    dedupe_key: str | None = None,
) -> Job:
    """Queue a job inside the caller's write transaction; return it (with its id)."""
    job = Job(
        kind=kind,
        account_id=account_id,
        input=input,
        dedupe_key=dedupe_key,
        payload=json.dumps(payload or {}, ensure_ascii=False),
    )
    session.add(job)
    session.flush()
    return job


def open_job(session: Session, *, dedupe_key: str) -> Job | None:
    """Return the queued or running job with this key, if any."""
    stmt = select(Job).where(
        col(Job.dedupe_key) == dedupe_key,
        col(Job.status).in_([JobStatus.QUEUED, JobStatus.RUNNING]),
    )
    return session.execute(stmt).scalars().first()


def has_work(engine: Engine) -> bool:
    """Tell (in a read, without the write lock) whether a job is queued or its lease ran out."""
    expired = (col(Job.status) == JobStatus.RUNNING) & (col(Job.lease_expires_at) < db_now())
    stmt = select(col(Job.id)).where((col(Job.status) == JobStatus.QUEUED) | expired).limit(1)
    with reading(engine) as session:
        return session.execute(stmt).first() is not None


def claim_next(engine: Engine, *, holder: str, lease_seconds: float) -> ClaimedJob | None:
    """Take the oldest queued job with a lease until the database's now + `lease_seconds`."""
    with writing(engine) as session:
        stmt = (
            select(col(Job.id))
            .where(col(Job.status) == JobStatus.QUEUED)
            .order_by(col(Job.id))
            .limit(1)
        )
        job_id = session.execute(stmt.with_for_update(skip_locked=True)).scalar()
        if job_id is None:
            return None
        values = {
            "status": JobStatus.RUNNING,
            "lease_holder": holder,
            "attempts": Job.attempts + 1,
            "lease_expires_at": db_now(lease_seconds),
            "started_at": func.coalesce(Job.started_at, db_now()),
        }
        claimed = update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.QUEUED)
        if session.exec(claimed.values(**values)).rowcount != 1:
            return None
        job = session.get_one(Job, job_id)
        return ClaimedJob(
            job_id,
            job.kind,
            job.account_id,
            json.loads(job.payload or "{}"),
            job.input,
            job.attempts,
        )


def _held(job_id: int, holder: str):
    return update(Job).where(
        col(Job.id) == job_id, col(Job.lease_holder) == holder, col(Job.status) == JobStatus.RUNNING
    )


def renew_lease(engine: Engine, *, job_id: int, holder: str, lease_seconds: float) -> bool:
    """Extend the lease of a job this runner holds; False when it is no longer ours."""
    with writing(engine) as session:
        stmt = _held(job_id, holder).values(lease_expires_at=db_now(lease_seconds))
        return session.exec(stmt).rowcount == 1


def report_progress(
    engine: Engine, *, job_id: int, holder: str, done: int, total: int, text: str | None = None
) -> None:
    """Record how far a running job got, in a short write transaction of its own."""
    values: dict = {"done": done, "total": total}
    if text is not None:
        values["message"] = json.dumps({"text": text}, ensure_ascii=False)
    with writing(engine) as session:
        session.execute(_held(job_id, holder).values(**values))


def finish(engine: Engine, *, job_id: int, holder: str, result: JobResult) -> bool:
    """Store a job's result and mark it done or failed; False if the lease was lost meanwhile."""
    status = JobStatus.FAILED if result.failed else JobStatus.DONE
    values = {
        "status": status,
        "message": json.dumps(result.message, ensure_ascii=False),
        "filename": result.filename,
        "result": result.data,
        "finished_at": db_now(),
        "lease_holder": None,
        "lease_expires_at": None,
        "input": None,
    }
    with writing(engine) as session:
        stmt = _held(job_id, holder).values(**values)
        if session.exec(stmt).rowcount != 1:
            return False
        session.execute(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.done) < Job.total)
            .values(done=Job.total)
        )
    return True


def recover_expired(engine: Engine, *, max_attempts: int) -> int:
    """Requeue running jobs whose lease ran out (their worker died); fail those tried enough."""
    expired = (col(Job.status) == JobStatus.RUNNING, col(Job.lease_expires_at) < db_now())
    gone = {"lease_holder": None, "lease_expires_at": None}
    with writing(engine) as session:
        failed = session.exec(
            update(Job)
            .where(*expired, col(Job.attempts) >= max_attempts)
            .values(
                status=JobStatus.FAILED,
                finished_at=db_now(),
                input=None,
                message=json.dumps({"error": INTERRUPTED}, ensure_ascii=False),
                **gone,
            )
        ).rowcount
        requeued = session.exec(
            update(Job).where(*expired).values(status=JobStatus.QUEUED, **gone)
        ).rowcount
    return failed + requeued


def prune_finished(
    engine: Engine, *, older_than: timedelta = KEEP_FINISHED, batch: int = PRUNE_BATCH
) -> int:
    """Delete jobs finished more than `older_than` ago (with their files), batch by batch."""
    finished = col(Job.status).in_([JobStatus.DONE, JobStatus.FAILED])
    total = 0
    while True:
        with writing(engine) as session:
            old = col(Job.finished_at) < db_now(-older_than.total_seconds())
            stmt = select(col(Job.id)).where(finished, old).limit(batch)
            ids = list(session.execute(stmt).scalars())
            if ids:
                session.execute(delete(Job).where(col(Job.id).in_(ids)))
        total += len(ids)
        if len(ids) < batch:
            return total
