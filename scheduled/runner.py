"""The scheduler process: outbox delivery worker plus the periodic jobs, behind a lease.

Several scheduler processes may be started (by mistake, or for failover): only the one holding
the database lease delivers and runs jobs; the others wait and take over when its lease runs out.
Testing aids (read only here): LVZHI_SCHEDULER_LEASE_SECONDS (default 30) and, in
scheduled/clock.py, LVZHI_SCHEDULER_NOW; in scheduled/reminders.py LVZHI_SCHEDULER_TICK_SECONDS.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from backend.db import make_engine
from backend.delivery import build_client, run_delivery_loop
from backend.migrate import upgrade_database
from backend.settings import Settings, cached_settings
from scheduled import lease
from scheduled.clock import process_clock
from scheduled.jobs import JOBS

log = logging.getLogger(__name__)

LEASE_SECONDS = float(os.environ.get("LVZHI_SCHEDULER_LEASE_SECONDS", "30"))


def build_scheduler(settings: Settings, engine: Engine) -> BackgroundScheduler:
    """Create the APScheduler instance with every job from the job list."""
    scheduler = BackgroundScheduler(
        timezone=settings.timezone,
        job_defaults={"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1},
    )
    for job in JOBS:
        scheduler.add_job(job.run, **job.trigger, args=[engine], id=job.name, name=job.name)
    return scheduler


def wait_for_lease(engine: Engine, holder: str, stop: threading.Event) -> bool:
    """Block until this process holds the lease (True) or is asked to stop (False)."""
    announced = False
    while not stop.is_set():
        if lease.try_acquire(engine, holder=holder, seconds=LEASE_SECONDS):
            log.info("scheduler %s holds the lease", holder)
            return True
        if not announced:
            log.info("another scheduler holds the lease; %s waits to take over", holder)
            announced = True
        stop.wait(LEASE_SECONDS / 4)
    return False


def act_while_leader(settings: Settings, engine: Engine, holder: str, stop: threading.Event):
    """Deliver and run jobs, renewing the lease, until stopped or the lease is lost."""
    done = threading.Event()
    worker = threading.Thread(
        target=run_delivery_loop,
        args=(engine, build_client(settings, engine), done),
        name="outbox-delivery",
        daemon=True,
    )
    worker.start()
    scheduler = build_scheduler(settings, engine)
    scheduler.start()
    log.info("scheduler started with %d jobs", len(JOBS))
    while not stop.wait(LEASE_SECONDS / 3):
        if not _renew(engine, holder):
            log.error("scheduler %s lost its lease; pausing until it can take it again", holder)
            break
    scheduler.shutdown(wait=True)
    done.set()
    worker.join(timeout=10)


def _renew(engine: Engine, holder: str) -> bool:
    try:
        return lease.try_acquire(engine, holder=holder, seconds=LEASE_SECONDS)
    except Exception:  # a database hiccup: keep acting while the lease may still be ours
        log.exception("lease renewal failed")
        return True


def main() -> None:
    """Run the scheduler until SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # The reminder tick runs every 20 s: log our jobs' own messages, not each tick's start and end.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    settings = cached_settings()
    process_clock()  # start the (test-shiftable) clock now, not at the first job
    engine = make_engine(settings.DATABASE_URL)
    upgrade_database(engine)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    holder = lease.holder_name()
    while wait_for_lease(engine, holder, stop):
        act_while_leader(settings, engine, holder, stop)
    lease.release(engine, holder=holder)
    log.info("scheduler %s stopped", holder)
