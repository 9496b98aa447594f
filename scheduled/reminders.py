"""三提醒一通报: three reminders to whoever has not logged (or reviewed), then one notice.

Each member's rounds follow their own calendar (`backend.schedule.patterns`): stages 1 and 2 on
the workday itself, stage 3 and the head's notice on the member's next workday; when the rounds
fall is in `scheduled.reminder_rounds` (keys, the spread away from :00/:30). A tick every few
seconds asks which rounds are due now; each round claims its run key in the same transaction
that queues its messages, so a round is sent once however many ticks, restarts or schedulers
there are, and a round missed while the process was down is sent once while still current.
Members whose rounds coincide (same day, stage and firing day) share a round; a notice lists the
department's missing members of every calendar in that round. Review rounds follow the office
calendar (a reviewer off that day on their own calendar is not reminded).

One reminder per member per tick: when several staff-reminder rounds are due in one tick (custom
times that overlap, a catch-up after a restart), a member gets the earliest day's reminder only;
the later rounds still claim their keys and skip them.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.db import reading, writing
from backend.outbox.service import OutgoingContent, database_time, enqueue_to_users
from backend.runtime import Runtime
from backend.schedule import reminders as queries
from backend.schedule.calendar import load_calendar
from backend.schedule.job_runs import claim_run, finish_run, run_exists
from backend.schedule.patterns import Calendar, MemberCalendars, member_calendars
from backend.schedule.reminders import Missing, ReminderTimes
from backend.settings import Settings
from scheduled import reminder_texts as texts
from scheduled.job import Job
from scheduled.reminder_rounds import (
    SEND_SPREAD_SECONDS,
    STAFF_STAGES,
    STAGES,
    Due,
    due_stages,
    fire_time,
    run_key,
    send_spread_seconds,
    stage_moments,
)

log = logging.getLogger(__name__)

__all__ = ["STAGES", "Due", "due_stages", "fire_time", "run_key", "run_reminders", "stage_moments"]

LOOK_BACK = timedelta(days=31)


def task_id(key: str) -> str:
    """Return a WeCom card task id derived from the run key."""
    return re.sub(r"[^0-9A-Za-z_\-@]", "_", key)[:128]


@dataclass(frozen=True)
class Round:
    """What one round needs: its departments, times, the calendars whose members it covers."""

    due: Due
    key: str
    department_ids: list[int]
    times: ReminderTimes
    calendars: MemberCalendars
    covered: frozenset[int] = frozenset()  # ids of the calendar objects in this round
    reminded: set[int] = field(default_factory=set)  # members reminded earlier in this tick


def remind_staff(session: Session, work: Round) -> str:
    """Remind members with nothing logged, or (notice stage) tell their heads who is missing."""
    missing = [
        person
        for person in queries.missing_staff(
            session, day=work.due.day, department_ids=work.department_ids, calendars=work.calendars
        )
        if id(work.calendars[person.staff_id]) in work.covered
    ]
    if work.due.stage == "notice":
        render = lambda name, people: texts.staff_notice(  # noqa: E731
            name, work.due.day, [p.name for p in people]
        )
        return _notify_heads(session, work, missing, render)
    fresh = [person for person in missing if person.staff_id not in work.reminded]
    work.reminded.update(person.staff_id for person in fresh)
    content = texts.staff_reminder(work.due.day, work.due.stage, task_id(work.key))
    detail = _send(session, work.key, fresh, content)
    skipped = len(missing) - len(fresh)
    return detail + (f", {skipped} already reminded this tick" if skipped else "")


def remind_reviewers(session: Session, work: Round) -> str:
    """Remind reviewers with overdue entries, or (notice stage) tell their heads."""
    days = work.times.review_deadline_days
    late = queries.overdue_reviewers(
        session,
        day=work.due.day,
        department_ids=work.department_ids,
        calendar=work.calendars.office,
        days=days,
    )
    if work.due.stage == "notice":
        render = lambda name, people: texts.review_notice(  # noqa: E731
            name, work.due.day, days, [f"{p.name}（{p.waiting}条）" for p in people]
        )
        return _notify_heads(session, work, late, render)
    working = [p for p in late if work.calendars[p.staff_id].is_workday(work.due.on)]
    content = texts.review_reminder(work.due.stage, days, task_id(work.key))
    return _send(session, work.key, working, content)


def _enqueue(session: Session, work_key: str, user_ids: list[str], content) -> None:
    # Spread from the moment the rows are queued (the database's clock, which due times use),
    # never into the next :00 or :30.
    spread = send_spread_seconds(database_time(session), SEND_SPREAD_SECONDS)
    enqueue_to_users(
        session, user_ids=user_ids, content=content, dedupe_key=work_key, spread_seconds=spread
    )


def _send(session: Session, key: str, people: list[Missing], content: OutgoingContent) -> str:
    if people:
        _enqueue(session, key, [p.wecom_userid for p in people], content)
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
        content = render(names[department_id], missing)
        _enqueue(session, f"{work.key}:dept-{department_id}", heads[department_id], content)
    return f"{len(by_department)} departments notified, {len(people)} listed"


ACTIONS: dict[str, Callable[[Session, Round], str]] = {
    "reminder": remind_staff,
    "review": remind_reviewers,
}


@dataclass(frozen=True)
class _Plan:
    """What a tick reads once: the office calendar, each member's, the groups and their times."""

    calendars: MemberCalendars
    groups: dict[ReminderTimes, list[int]]
    default: ReminderTimes
    departments: dict[int, int]  # staff id → department, for members off the office calendar


def _plan(engine: Engine, now: datetime) -> _Plan:
    with reading(engine) as session:
        office = load_calendar(session)
        today = now.date()
        calendars = member_calendars(session, None, (today - LOOK_BACK, today), office=office)
        return _Plan(
            calendars,
            queries.department_groups(session),
            queries.global_times(session),
            queries.member_departments(session, staff_ids=list(calendars)),
        )


def _group_calendars(plan: _Plan, department_ids: list[int]) -> list[Calendar]:
    """Return the office calendar and every other calendar a member of the group follows."""
    wanted = set(department_ids)
    found: dict[int, Calendar] = {id(plan.calendars.office): plan.calendars.office}
    for staff_id, department_id in plan.departments.items():
        if department_id in wanted:
            calendar = plan.calendars[staff_id]
            found.setdefault(id(calendar), calendar)
    return list(found.values())


def _group_rounds(now: datetime, plan: _Plan, times: ReminderTimes, department_ids: list[int]):
    """Return (due, calendars whose members it covers), earliest day first."""
    rounds: dict[Due, list[Calendar]] = defaultdict(list)
    for calendar in _group_calendars(plan, department_ids):
        for item in due_stages(now, calendar, times):
            rounds[item].append(calendar)
    return sorted(rounds.items())


def run_reminders(engine: Engine, *, now: datetime) -> list[str]:
    """Send every round due at `now` that has not been sent; return the keys sent."""
    plan = _plan(engine, now)
    office = plan.calendars.office
    reminded: set[int] = set()
    sent = []
    for times, department_ids in plan.groups.items():
        for item, covering in _group_rounds(now, plan, times, department_ids):
            for prefix, action in ACTIONS.items():
                if prefix == "review" and all(c is not office for c in covering):
                    continue  # review rounds follow the office calendar
                work = Round(
                    due=item,
                    key=run_key(prefix, item, times, plan.default, office),
                    department_ids=department_ids,
                    times=times,
                    calendars=plan.calendars,
                    covered=frozenset(id(c) for c in covering),
                    reminded=reminded if item.stage in STAFF_STAGES else set(),
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
