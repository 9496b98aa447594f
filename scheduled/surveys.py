"""Survey jobs: remind the invited members who have not answered, once, a day before the close."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from backend.db import reading, writing
from backend.models import Survey, saved_id
from backend.schedule.job_runs import claim_run, finish_run, run_exists
from backend.surveys import queries as survey_queries
from backend.surveys import service as surveys
from scheduled.job import Job, at_clock

REMINDER_JOB = "survey-reminders"
REMIND_BEFORE = timedelta(hours=24)


def remind_survey_non_respondents(engine: Engine, *, now: datetime) -> int:
    """Queue one reminder per survey closing within a day to its non-respondents."""
    with reading(engine) as session:
        survey_ids = [
            saved_id(survey)
            for survey in survey_queries.closing_soon(session, now=now, within=REMIND_BEFORE)
            if not run_exists(session, key=f"{REMINDER_JOB}:{survey.id}")
        ]
    return sum(_remind_once(engine, survey_id, now) for survey_id in survey_ids)


def _remind_once(engine: Engine, survey_id: int, now: datetime) -> int:
    key = f"{REMINDER_JOB}:{survey_id}"
    with writing(engine) as session:
        if not claim_run(session, key=key, job=REMINDER_JOB):
            return 0
        survey = session.get_one(Survey, survey_id)
        count = surveys.remind_non_respondents(session, survey=survey, now=now)
        finish_run(session, key=key, detail=f"{count} reminded")
    return count


JOBS = [
    Job(REMINDER_JOB, {"trigger": "cron", "minute": 20}, at_clock(remind_survey_non_respondents)),
]
