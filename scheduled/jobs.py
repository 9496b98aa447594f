"""The job list, as data: every area's jobs plus the housekeeping ones."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from backend.chat.callbacks import purge_processed
from backend.db import writing
from backend.ops.backup import Backup, backup_folder, backup_to_folder
from backend.outbox import purge
from backend.runtime import Runtime
from backend.settings import Settings
from scheduled import ledger, reminders, reports, supervision, surveys
from scheduled.job import Job

PURGE_PAUSE = 0.05  # seconds between purge batches, so the bot's writes get the lock
log = logging.getLogger(__name__)


def purge_old_callbacks(runtime: Runtime) -> int:
    """Forget processed-callback keys older than seven days."""
    with writing(runtime.engine) as session:
        return purge_processed(session)


def purge_outbox(
    engine: Engine, settings: Settings, *, now: datetime | None = None, pause: float = PURGE_PAUSE
) -> int:
    """Delete sent and failed outbox rows (and their files) past retention, batch by batch."""
    keep_sent = timedelta(days=settings.LVZHI_OUTBOX_KEEP_SENT_DAYS)
    keep_failed = timedelta(days=settings.LVZHI_OUTBOX_KEEP_FAILED_DAYS)
    total = 0
    while True:
        with writing(engine) as session:
            count = purge.purge_batch(
                session, keep_sent=keep_sent, keep_failed=keep_failed, now=now
            )
        total += count
        if count < purge.PURGE_BATCH:
            return total
        time.sleep(pause)


def purge_old_outbox(runtime: Runtime) -> int:
    """Run the outbox purge with the scheduler's engine and settings."""
    return purge_outbox(runtime.engine, runtime.settings)


def nightly_backup(runtime: Runtime) -> Backup:
    """Back up the database into LVZHI_BACKUP_DIR and keep the newest LVZHI_BACKUP_KEEP."""
    settings = runtime.settings
    folder = backup_folder(settings)
    try:
        made = backup_to_folder(runtime.engine, folder, keep=settings.LVZHI_BACKUP_KEEP)
    except Exception as exc:
        log.error("nightly backup into %s failed: %s", folder, exc)
        raise  # the scheduler logs the job as failed too
    log.info("nightly backup written: %s (%d bytes)", made.path, made.size)
    for old in made.removed:
        log.info("old backup removed: %s", old.name)
    return made


HOUSEKEEPING = [
    Job("backup", {"trigger": "cron", "hour": 2, "minute": 23}, nightly_backup),
    Job("purge-callbacks", {"trigger": "cron", "hour": 3, "minute": 17}, purge_old_callbacks),
    Job("purge-outbox", {"trigger": "cron", "hour": 3, "minute": 41}, purge_old_outbox),
]

JOBS: list[Job] = [
    *HOUSEKEEPING,
    *reminders.JOBS,
    *reports.JOBS,
    *surveys.JOBS,
    *supervision.JOBS,
    *ledger.JOBS,
]
