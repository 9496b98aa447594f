"""The scheduler process: outbox delivery worker plus the periodic jobs."""

from __future__ import annotations

import logging
import signal
import threading

from apscheduler.schedulers.blocking import BlockingScheduler

from backend.db import make_engine
from backend.delivery import build_client, run_delivery_loop
from backend.migrate import upgrade_database
from backend.settings import Settings, cached_settings
from scheduled.jobs import JOBS

log = logging.getLogger(__name__)


def build_scheduler(settings: Settings, engine) -> BlockingScheduler:
    """Create the APScheduler instance with every job from the job list."""
    scheduler = BlockingScheduler(
        timezone=settings.timezone,
        job_defaults={"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1},
    )
    for job in JOBS:
        scheduler.add_job(job.run, **job.trigger, args=[engine], id=job.name, name=job.name)
    return scheduler


def main() -> None:
    """Run the scheduler until SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = cached_settings()
    engine = make_engine(settings.DATABASE_URL)
    upgrade_database(engine)
    stop = threading.Event()
    worker = threading.Thread(
        target=run_delivery_loop,
        args=(engine, build_client(settings, engine), stop),
        name="outbox-delivery",
        daemon=True,
    )
    worker.start()
    scheduler = build_scheduler(settings, engine)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler started with %d jobs", len(JOBS))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop.set()
        worker.join(timeout=10)
