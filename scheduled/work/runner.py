"""Claim and run jobs one at a time, renewing each job's lease while it runs.

The scheduler process runs `run_job_loop` beside the outbox delivery worker; tests run due jobs
in-process with `run_due_jobs`. Work never runs inside a write transaction: a job function
loads in read transactions, computes and renders outside any, and writes in short batches.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import sys
import threading
import time
import uuid
from datetime import timedelta

from sqlalchemy.engine import Engine

from backend.common.metrics import timed_job
from backend.jobs import service
from backend.jobs.service import ClaimedJob, JobResult
from backend.settings import Settings
from scheduled.work import registry

log = logging.getLogger(__name__)
LEASE_SECONDS = 60.0
MAX_ATTEMPTS = 2  # a job whose worker died is run once more, then marked failed
POLL_SECONDS = 1.0
JOB_NICENESS = 10  # below the web workers' 0: under load, callbacks get the CPU first
PROGRESS_EVERY = 0.5  # seconds between progress writes
CRASHED = "处理失败，请检查文件后重试"


def holder_name() -> str:
    """Return a name unique to this runner (host, pid and a random part)."""
    return f"jobs:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Progress:
    """Report done/total for one job, at most every PROGRESS_EVERY seconds."""

    def __init__(self, engine: Engine, job_id: int, holder: str) -> None:
        self.engine, self.job_id, self.holder, self._last = engine, job_id, holder, 0.0

    def __call__(self, done: int, total: int, text: str | None = None) -> None:
        """Record progress (always when `text` changes the status line)."""
        now = time.monotonic()
        if text is None and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        service.report_progress(
            self.engine, job_id=self.job_id, holder=self.holder, done=done, total=total, text=text
        )


class _Heartbeat:
    """Renew a job's lease in a background thread while the job runs."""

    def __init__(self, engine: Engine, job_id: int, holder: str, seconds: float) -> None:
        self.args = (engine, job_id, holder, seconds)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id}-lease", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def _beat(self) -> None:
        engine, job_id, holder, seconds = self.args
        while not self.stop.wait(seconds / 3):
            try:
                if not service.renew_lease(
                    engine, job_id=job_id, holder=holder, lease_seconds=seconds
                ):
                    log.warning("job %s: lease lost", job_id)
                    return
            except Exception:  # a database hiccup: try again at the next beat
                log.exception("job %s: lease renewal failed", job_id)


def run_one(
    engine: Engine,
    *,
    holder: str,
    settings: Settings | None = None,
    lease_seconds: float = LEASE_SECONDS,
    max_attempts: int = MAX_ATTEMPTS,
) -> bool:
    """Recover expired jobs, then claim and run the next due one; False when none was due."""
    if not service.has_work(engine):  # idle polls only read
        return False
    service.recover_expired(engine, max_attempts=max_attempts)
    job = service.claim_next(engine, holder=holder, lease_seconds=lease_seconds)
    if job is None:
        return False
    job = dataclasses.replace(job, settings=settings)
    with _Heartbeat(engine, job.id, holder, lease_seconds):
        result = execute(engine, job, Progress(engine, job.id, holder))
    if not service.finish(engine, job_id=job.id, holder=holder, result=result):
        log.warning("job %s finished after its lease was lost; result dropped", job.id)
    return True


def execute(engine: Engine, job: ClaimedJob, progress: Progress) -> JobResult:
    """Run one job's function; an unknown kind or an error becomes a failed result."""
    kind = registry.KINDS.get(job.kind)
    if kind is None:
        return JobResult({"error": f"未知的任务类型：{job.kind}"}, failed=True)
    started = time.monotonic()
    try:
        with timed_job(f"task:{job.kind}"):
            result = kind.run(engine, job, progress)
    except Exception:
        log.exception("job %s (%s) failed", job.id, job.kind)
        return JobResult({"error": CRASHED, "back": kind.back}, failed=True)
    log.info("job %s (%s) took %.1f s", job.id, job.kind, time.monotonic() - started)
    return result


def run_job_loop(
    engine: Engine,
    stop: threading.Event,
    *,
    settings: Settings | None = None,
    holder: str | None = None,
    poll_seconds: float = POLL_SECONDS,
    lease_seconds: float = LEASE_SECONDS,
) -> None:
    """Run due jobs one at a time until `stop` is set (the scheduler's job-runner thread)."""
    yield_cpu_to_callbacks()
    holder = holder or holder_name()
    last_prune = 0.0
    while not stop.is_set():
        try:
            if time.monotonic() - last_prune > 3600:
                service.prune_finished(engine, older_than=_keep_finished(settings))
                last_prune = time.monotonic()
            ran = run_one(engine, holder=holder, settings=settings, lease_seconds=lease_seconds)
        except Exception:  # the database is away: wait and try again
            log.exception("job runner pass failed")
            ran = False
        if not ran:
            stop.wait(poll_seconds)


def yield_cpu_to_callbacks() -> None:
    """Lower this thread's CPU priority, so that a long import never slows the bot's answers.

    On Linux the nice value belongs to the thread (and the threads it starts), so the delivery
    worker beside it keeps its normal priority. Elsewhere this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), JOB_NICENESS)
    except OSError:  # not permitted here: jobs still run, at normal priority
        log.warning("could not lower the job runner's CPU priority")


def _keep_finished(settings: Settings | None) -> timedelta:
    """Return how long finished jobs are kept (the setting, or the default without one)."""
    if settings is None:
        return service.KEEP_FINISHED
    return timedelta(days=settings.LVZHI_JOBS_KEEP_DAYS)


def run_due_jobs(
    engine: Engine, *, settings: Settings | None = None, holder: str = "tests", limit: int = 100
) -> int:
    """Run queued jobs in this process until none is left (tests); return how many ran."""
    ran = 0
    while ran < limit and run_one(engine, holder=holder, settings=settings):
        ran += 1
    return ran
