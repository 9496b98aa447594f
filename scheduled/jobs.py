"""The job list, as data: each job is a name, a trigger and a few lines of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.db import session_scope
from backend.services.callbacks import purge_processed


@dataclass(frozen=True)
class Job:
    """One scheduled job."""

    name: str
    trigger: dict  # APScheduler add_job trigger arguments, in the scheduler's time zone
    run: Callable


def purge_old_callbacks(engine) -> int:
    """Forget processed-callback keys older than seven days."""
    with session_scope(engine) as session:
        return purge_processed(session)


JOBS = [
    Job("purge-callbacks", {"trigger": "cron", "hour": 3, "minute": 17}, purge_old_callbacks),
]

from scheduled.supervision import JOBS as SUPERVISION_JOBS  # noqa: E402  (needs Job above)

JOBS += SUPERVISION_JOBS

from scheduled.reminders import JOBS as REMINDER_JOBS  # noqa: E402  (needs Job above)

JOBS += REMINDER_JOBS

from scheduled.reports import JOBS as REPORT_JOBS  # noqa: E402  (needs Job above)

JOBS += REPORT_JOBS

from scheduled.surveys import JOBS as SURVEY_JOBS  # noqa: E402  (needs Job above)

JOBS += SURVEY_JOBS
