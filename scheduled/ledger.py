"""Problem-ledger job: remind heads before a rectification deadline, tell admins once it passes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from backend.ledger.service import send_deadline_alerts
from backend.schedule.job_runs import once_a_day
from scheduled.job import Job, at_clock

LEDGER_JOB = "ledger-deadlines"


def check_ledger_deadlines(engine: Engine, *, now: datetime) -> int:
    """Send the day's rectification reminders and overdue notices, once per deadline."""
    return once_a_day(
        engine,
        job=LEDGER_JOB,
        day=now.date(),
        send=lambda s: send_deadline_alerts(s, today=now.date()),
    )


JOBS = [
    Job(LEDGER_JOB, {"trigger": "cron", "hour": 9, "minute": 13}, at_clock(check_ledger_deadlines))
]
