"""QR supervision jobs: work-order deadline reminders and escalations, and new-order digests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from backend.db import reading, writing
from backend.schedule.job_runs import once_a_day
from backend.settings import Settings
from backend.supervision.digest import has_held_orders, send_digests
from backend.supervision.work_orders import ALERT_JOB, send_due_alerts
from scheduled.job import Job, at_clock, at_clock_with_settings

DIGEST_JOB = "supervision-digests"


def check_work_order_deadlines(engine: Engine, *, now: datetime) -> int:
    """Remind heads of today's deadlines and escalate overdue orders, once per day."""
    return once_a_day(
        engine, job=ALERT_JOB, day=now.date(), send=lambda s: send_due_alerts(s, today=now.date())
    )


def send_work_order_digests(engine: Engine, *, now: datetime, settings: Settings) -> int:
    """Tell heads and administrators of held new orders, one digest per unit; return how many."""
    with reading(engine) as session:
        if not has_held_orders(session):
            return 0
    every = timedelta(minutes=settings.LVZHI_ORDER_DIGEST_MINUTES)
    with writing(engine) as session:
        return send_digests(session, now=now, every=every)


JOBS = [
    Job(
        ALERT_JOB, {"trigger": "cron", "hour": 9, "minute": 5}, at_clock(check_work_order_deadlines)
    ),
    Job(
        DIGEST_JOB,
        {"trigger": "interval", "minutes": 1},
        at_clock_with_settings(send_work_order_digests),
    ),
]
