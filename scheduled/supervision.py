"""QR supervision jobs: the work orders' deadline reminders and escalations, each working day."""

from __future__ import annotations

from datetime import datetime

from backend.db import session_scope
from backend.services.job_runs import claim_run, finish_run
from backend.settings import cached_settings
from backend.supervision.work_orders import ALERT_JOB, send_due_alerts
from scheduled.job import Job


def check_work_order_deadlines(engine, now: datetime | None = None) -> int:
    """Remind heads of today's deadlines and escalate overdue orders, once per day."""
    today = (now or datetime.now(cached_settings().timezone)).date()
    key = f"{ALERT_JOB}:{today.isoformat()}"
    with session_scope(engine) as session:
        if not claim_run(session, key=key, job=ALERT_JOB):
            return 0
        sent = send_due_alerts(session, today=today)
        finish_run(session, key=key, detail=f"{sent} alerts")
    return sent


JOBS = [
    Job(ALERT_JOB, {"trigger": "cron", "hour": 9, "minute": 5}, check_work_order_deadlines),
]
