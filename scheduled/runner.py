"""The scheduler process: outbox delivery worker plus the periodic jobs, behind a lease.

Several scheduler processes may be started (by mistake, or for failover): only the one holding
the database lease delivers and runs jobs; the others wait and take over when its lease runs out.
The lease lasts `LVZHI_SCHEDULER_LEASE_SECONDS` (a setting) on the database's clock.
"""

from __future__ import annotations

import logging
import signal
import threading

from apscheduler.schedulers.background import BackgroundScheduler

from backend.common.metrics import enable_multiprocess, metrics_folder, timed_job
from backend.migrate import upgrade_database
from backend.ops.logs import configure_logging
from backend.outbox.delivery import run_delivery_loop
from backend.runtime import Runtime, build_runtime
from backend.settings import cached_settings
from scheduled import lease
from scheduled.clock import scheduler_clock
from scheduled.job import Job
from scheduled.jobs import JOBS
from scheduled.work.runner import run_job_loop

log = logging.getLogger(__name__)


def build_scheduler(runtime: Runtime) -> BackgroundScheduler:
    """Create the APScheduler instance with every job from the job list."""
    scheduler = BackgroundScheduler(
        timezone=runtime.settings.timezone,
        job_defaults={"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1},
    )
    for job in JOBS:
        trigger = job.trigger_for(runtime.settings)
        scheduler.add_job(run_job, **trigger, args=[job, runtime], id=job.name, name=job.name)
    return scheduler


def run_job(job: Job, runtime: Runtime) -> object:
    """Run one scheduled job on the scheduler's runtime, timing it for /metrics."""
    with timed_job(job.name):
        return job.run(runtime)


def wait_for_lease(runtime: Runtime, holder: str, stop: threading.Event) -> bool:
    """Block until this process holds the lease (True) or is asked to stop (False)."""
    seconds = runtime.settings.LVZHI_SCHEDULER_LEASE_SECONDS
    announced = False
    while not stop.is_set():
        if lease.try_acquire(runtime.engine, holder=holder, seconds=seconds):
            log.info("scheduler %s holds the lease", holder)
            return True
        if not announced:
            log.info("another scheduler holds the lease; %s waits to take over", holder)
            announced = True
        stop.wait(seconds / 4)
    return False


def act_while_leader(runtime: Runtime, holder: str, stop: threading.Event) -> None:
    """Deliver and run jobs, renewing the lease, until stopped or the lease is lost."""
    done = threading.Event()
    worker = threading.Thread(
        target=run_delivery_loop,
        args=(runtime.engine, runtime.client, done),
        name="outbox-delivery",
        daemon=True,
    )
    worker.start()
    job_runner = threading.Thread(
        target=run_job_loop,
        args=(runtime.engine, done),
        kwargs={"settings": runtime.settings},
        name="job-runner",
        daemon=True,
    )
    job_runner.start()
    scheduler = build_scheduler(runtime)
    scheduler.start()
    log.info("scheduler started with %d jobs", len(JOBS))
    while not stop.wait(runtime.settings.LVZHI_SCHEDULER_LEASE_SECONDS / 3):
        if not _renew(runtime, holder):
            log.error("scheduler %s lost its lease; pausing until it can take it again", holder)
            break
    scheduler.shutdown(wait=True)
    done.set()
    worker.join(timeout=10)
    job_runner.join(timeout=10)  # a running job keeps its lease until it expires, then reruns


def _renew(runtime: Runtime, holder: str) -> bool:
    seconds = runtime.settings.LVZHI_SCHEDULER_LEASE_SECONDS
    try:
        return lease.try_acquire(runtime.engine, holder=holder, seconds=seconds)
    except Exception:  # a database hiccup: keep acting while the lease may still be ours
        log.exception("lease renewal failed")
        return True


def main() -> None:
    """Run the scheduler until SIGTERM or Ctrl-C."""
    settings = cached_settings()
    configure_logging(settings.LVZHI_LOG_FORMAT)
    # The reminder tick runs every 20 s: log our jobs' own messages, not each tick's start and end.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    enable_multiprocess(metrics_folder(settings))  # before any metric: /metrics adds ours in
    # The clock starts now (shifted by the LVZHI_SCHEDULER_NOW testing aid), not at the first job.
    runtime = build_runtime(settings, clock=scheduler_clock(settings))
    upgrade_database(runtime.engine)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    holder = lease.holder_name()
    while wait_for_lease(runtime, holder, stop):
        act_while_leader(runtime, holder, stop)
    lease.release(runtime.engine, holder=holder)
    log.info("scheduler %s stopped", holder)
