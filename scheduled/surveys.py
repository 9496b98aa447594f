"""Survey jobs: remind the invited members who have not answered, once, a day before the close."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.db import session_scope
from backend.services import surveys
from backend.services.job_runs import claim_run, finish_run
from scheduled.clock import process_clock
from scheduled.job import Job

REMINDER_JOB = "survey-reminders"
REMIND_BEFORE = timedelta(hours=24)


def remind_survey_non_respondents(engine, now: datetime | None = None) -> int:
    """Queue one reminder per survey closing within a day to its non-respondents."""
    now = now or process_clock()()
    sent = 0
    with session_scope(engine) as session:
        for survey in surveys.closing_soon(session, now=now, within=REMIND_BEFORE):
            key = f"{REMINDER_JOB}:{survey.id}"
            if not claim_run(session, key=key, job=REMINDER_JOB):
                continue
            count = surveys.remind_non_respondents(session, survey=survey, now=now)
            finish_run(session, key=key, detail=f"{count} reminded")
            sent += count
    return sent


JOBS = [
    Job(REMINDER_JOB, {"trigger": "cron", "minute": 20}, remind_survey_non_respondents),
]
