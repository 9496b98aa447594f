"""Reading jobs for the console: one job of an account, an account's recent jobs."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlmodel import Session, col

from backend.jobs.labels import STATUS_LABELS, label_of
from backend.models import Job, JobStatus

RECENT = 20


def job_of_account(session: Session, *, job_id: int, account_id: int) -> Job | None:
    """Return the job if it belongs to this account."""
    job = session.get(Job, job_id)
    return job if job is not None and job.account_id == account_id else None


def recent_jobs(session: Session, *, account_id: int, limit: int = RECENT) -> list[dict]:
    """Return the account's latest jobs, newest first (without loading their files)."""
    stmt = (
        sa.select(
            col(Job.id),
            col(Job.kind),
            col(Job.status),
            col(Job.done),
            col(Job.total),
            col(Job.created_at),
            col(Job.finished_at),
            col(Job.filename),
        )
        .where(col(Job.account_id) == account_id)
        .order_by(col(Job.id).desc())
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "label": label_of(r.kind),
            "status": str(r.status),
            "done": r.done,
            "total": r.total,
            "status_label": STATUS_LABELS.get(str(r.status), str(r.status)),
            "created_at": r.created_at,
            "finished_at": r.finished_at,
            "filename": r.filename,
        }
        for r in session.execute(stmt)
    ]


def job_state(job: Job) -> dict:
    """Return a job's progress and outcome as JSON-ready data."""
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    percent = 100 if finished else int(job.done * 100 / job.total) if job.total else 0
    return {
        "id": job.id,
        "kind": job.kind,
        "label": label_of(job.kind),
        "status": str(job.status),
        "status_label": STATUS_LABELS.get(str(job.status), str(job.status)),
        "done": job.done,
        "total": job.total,
        "percent": min(percent, 100),
        "has_file": job.result is not None,
        "filename": job.filename,
        "message": _message(job.message),
        "created_at": job.created_at.isoformat(),
    }


def _message(text: str):
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {"text": text}
