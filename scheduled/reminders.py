"""三提醒一通报: three reminders to whoever has not logged (or reviewed), then one notice.

A tick every few seconds asks which rounds are due now; each round claims its run key
(`reminder:2026-11-23:1`, `review:2026-11-23:notice`) in the same transaction that queues its
messages, so a round is sent once however many ticks, restarts or schedulers there are, and a
round missed while the process was down is sent once when it comes back (while still current).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.db import reading, writing
from backend.outbox.service import enqueue_to_users
from backend.runtime import Runtime
from backend.schedule import reminders as queries
from backend.schedule.calendar import load_calendar
from backend.schedule.job_runs import claim_run, finish_run, run_exists
from backend.schedule.reminders import Missing, ReminderTimes
from backend.schedule.workdays import WorkCalendar
from backend.settings import Settings
from scheduled import reminder_texts as texts
from scheduled.job import Job

log = logging.getLogger(__name__)

STAGES = ("1", "2", "3", "notice")


@dataclass(frozen=True)
class Due:
    """One round that is due: the workday it is about and the stage (1, 2, 3 or notice)."""

    day: date
    stage: str


def stage_moments(day: date, times: ReminderTimes, calendar: WorkCalendar, zone) -> list:
    """Return (stage, moment) for the four rounds about workday `day`."""
    after = calendar.next_workday(day)
    return [
        ("1", _at(day, times.first, zone)),
        ("2", _at(day, times.second, zone)),
        ("3", _at(after, times.third, zone)),
        ("notice", _at(after, times.notice, zone)),
    ]


def _at(day: date, moment: time, zone) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def due_stages(now: datetime, calendar: WorkCalendar, times: ReminderTimes) -> list[Due]:
    """Return the rounds open at `now`: from their time to the next round's, within their day."""
    today = now.date()
    if not calendar.is_workday(today):
        return []
    due = []
    for day in (calendar.previous_workday(today), today):
        moments = stage_moments(day, times, calendar, now.tzinfo)
        for index, (stage, start) in enumerate(moments):
            end = _at(start.date() + timedelta(days=1), time(0), now.tzinfo)
            if index + 1 < len(moments):
                end = min(end, moments[index + 1][1])
            if start <= now < end:
                due.append(Due(day, stage))
    return due


def run_key(prefix: str, due: Due, times: ReminderTimes, default: ReminderTimes) -> str:
    """Return the period key, e.g. reminder:2026-11-23:1 (with the times for custom groups)."""
    key = f"{prefix}:{due.day.isoformat()}:{due.stage}"
    if times == default:
        return key
    parts = (times.first, times.second, times.third, times.notice)
    return (
        key + "@" + "-".join(t.strftime("%H%M") for t in parts) + f"-{times.review_deadline_days}"
    )


def task_id(key: str) -> str:
    """Return a WeCom card task id derived from the run key."""
    return re.sub(r"[^0-9A-Za-z_\-@]", "_", key)[:128]


@dataclass(frozen=True)
class Round:
    """What one round needs: the group's departments and times, and the calendar."""

    due: Due
    key: str
    department_ids: list[int]
    times: ReminderTimes
    calendar: WorkCalendar


def remind_staff(session: Session, work: Round) -> str:
    """Remind members with nothing logged, or (notice stage) tell their heads who is missing."""
    missing = queries.missing_staff(session, day=work.due.day, department_ids=work.department_ids)
    if work.due.stage == "notice":
        render = lambda name, people: texts.staff_notice(  # noqa: E731
            name, work.due.day, [p.name for p in people]
        )
        return _notify_heads(session, work, missing, render)
    content = texts.staff_reminder(work.due.day, work.due.stage, task_id(work.key))
    return _send(session, work.key, missing, content)


def remind_reviewers(session: Session, work: Round) -> str:
    """Remind reviewers with overdue entries, or (notice stage) tell their heads."""
    days = work.times.review_deadline_days
    late = queries.overdue_reviewers(
        session,
        day=work.due.day,
        department_ids=work.department_ids,
        calendar=work.calendar,
        days=days,
    )
    if work.due.stage == "notice":
        render = lambda name, people: texts.review_notice(  # noqa: E731
            name, work.due.day, days, [f"{p.name}（{p.waiting}条）" for p in people]
        )
        return _notify_heads(session, work, late, render)
    content = texts.review_reminder(work.due.stage, days, task_id(work.key))
    return _send(session, work.key, late, content)


def _send(session: Session, key: str, people: list[Missing], content) -> str:
    if people:
        enqueue_to_users(
            session, user_ids=[p.wecom_userid for p in people], content=content, dedupe_key=key
        )
    return f"{len(people)} reminded"


def _notify_heads(session: Session, work: Round, people: list[Missing], render) -> str:
    by_department: dict[int, list[Missing]] = defaultdict(list)
    for person in people:
        by_department[person.department_id].append(person)
    heads = queries.principal_heads(session, department_ids=list(by_department))
    names = queries.department_names(session)
    for department_id, missing in by_department.items():
        if not heads[department_id]:
            log.warning("%s has no principal head to notify", names[department_id])
            continue
        enqueue_to_users(
            session,
            user_ids=heads[department_id],
            content=render(names[department_id], missing),
            dedupe_key=f"{work.key}:dept-{department_id}",
        )
    return f"{len(by_department)} departments notified, {len(people)} listed"


ACTIONS: dict[str, Callable[[Session, Round], str]] = {
    "reminder": remind_staff,
    "review": remind_reviewers,
}


def run_reminders(engine: Engine, *, now: datetime) -> list[str]:
    """Send every round due at `now` that has not been sent; return the keys sent."""
    with reading(engine) as session:
        calendar = load_calendar(session)
        groups = queries.department_groups(session)
        default = queries.global_times(session)
    sent = []
    for times, department_ids in groups.items():
        for due in due_stages(now, calendar, times):
            for prefix, action in ACTIONS.items():
                work = Round(
                    due, run_key(prefix, due, times, default), department_ids, times, calendar
                )
                if _run_once(engine, prefix, work, action):
                    sent.append(work.key)
    return sent


def _run_once(engine: Engine, prefix: str, work: Round, action) -> bool:
    with reading(engine) as session:  # most ticks find the round sent: no write lock for that
        if run_exists(session, key=work.key):
            return False
    with writing(engine) as session:
        if not claim_run(session, key=work.key, job=prefix):
            return False
        detail = action(session, work)
        finish_run(session, key=work.key, detail=detail)
    log.info("%s: %s", work.key, detail)
    return True


def reminder_tick(runtime: Runtime) -> list[str]:
    """The scheduled job: run the due rounds at the scheduler clock's now."""
    return run_reminders(runtime.engine, now=runtime.clock())


def tick_trigger(settings: Settings) -> dict:
    """Tick every LVZHI_SCHEDULER_TICK_SECONDS, the first time at once."""
    seconds = settings.LVZHI_SCHEDULER_TICK_SECONDS
    return {"trigger": "interval", "seconds": seconds, "next_run_time": datetime.now(UTC)}


JOBS = [Job("reminders", tick_trigger, reminder_tick)]
