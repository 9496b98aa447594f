"""The job list, as data: every area's jobs plus the housekeeping ones."""

from __future__ import annotations

from backend.db import session_scope
from backend.services.callbacks import purge_processed
from scheduled import reminders, reports, supervision, surveys
from scheduled.job import Job


def purge_old_callbacks(engine) -> int:
    """Forget processed-callback keys older than seven days."""
    with session_scope(engine) as session:
        return purge_processed(session)


HOUSEKEEPING = [
    Job("purge-callbacks", {"trigger": "cron", "hour": 3, "minute": 17}, purge_old_callbacks),
]

JOBS: list[Job] = [*HOUSEKEEPING, *reminders.JOBS, *reports.JOBS, *surveys.JOBS, *supervision.JOBS]
