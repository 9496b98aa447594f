"""When the rounds of 三提醒一通报 fall, on any member's calendar (pure: no database).

Rounds about workday D of a calendar: stages 1 and 2 on D at the configured times, stage 3 and
the notice on the calendar's next workday after D. Each round fires `spread_minutes(stage)`
after its configured minute (WeCom asks senders to avoid exactly :00 and :30) and stays open
until the next round fires, within its day.

Run keys: `reminder:2026-11-23:1` for D and the stage; when the round's day differs from the
office calendar's (stage 3 of a Saturday sent on Tuesday for a Tue–Sat member, while the office
would send it on Monday), `~<the day it fires>` follows (`reminder:2026-11-21:3~2026-11-24`); a
department group with its own times ends with `@<times>` as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from backend.schedule.patterns import Calendar
from backend.schedule.reminders import ReminderTimes

STAGES = ("1", "2", "3", "notice")
STAFF_STAGES = ("1", "2", "3")
# Minutes after the configured time a round fires: fixed per stage, so stable across restarts.
SPREAD_MINUTES = {"1": 1, "2": 2, "3": 3, "notice": 4}
AVOIDED_MINUTES = (0, 30)
SEND_SPREAD_SECONDS = 120  # a round's messages reach WeCom over up to two minutes, not at once


@dataclass(frozen=True, order=True)
class Due:
    """A round that is due: the workday it is about, the stage, and the day it fires."""

    day: date
    stage_index: int
    on: date

    @property
    def stage(self) -> str:
        """The stage: 1, 2, 3 or notice."""
        return STAGES[self.stage_index]


def due(day: date, stage: str, on: date | None = None) -> Due:
    """Build a Due for `stage` about `day`, firing on `on` (default: `day`)."""
    return Due(day, STAGES.index(stage), on or day)


def fire_time(moment: datetime, stage: str) -> datetime:
    """Return when a round configured at `moment` fires: a few minutes after, never :00/:30."""
    fired = moment + timedelta(minutes=SPREAD_MINUTES[stage])
    while fired.minute in AVOIDED_MINUTES:
        fired += timedelta(minutes=1)
    return fired


def stage_moments(
    day: date, times: ReminderTimes, calendar: Calendar, zone: tzinfo | None
) -> list[tuple[str, datetime]]:
    """Return (stage, firing moment) for the four rounds about workday `day`."""
    after = calendar.next_workday(day)
    configured = [
        ("1", day, times.first),
        ("2", day, times.second),
        ("3", after, times.third),
        ("notice", after, times.notice),
    ]
    return [(stage, fire_time(_at(on, at, zone), stage)) for stage, on, at in configured]


def _at(day: date, moment: time, zone: tzinfo | None) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def due_stages(now: datetime, calendar: Calendar, times: ReminderTimes) -> list[Due]:
    """Return the rounds open at `now` on `calendar`: from firing to the next round's, same day."""
    today = now.date()
    if not calendar.is_workday(today):
        return []
    found = []
    for day in (calendar.previous_workday(today), today):
        moments = stage_moments(day, times, calendar, now.tzinfo)
        for index, (stage, start) in enumerate(moments):
            end = _at(start.date() + timedelta(days=1), time(0), now.tzinfo)
            if index + 1 < len(moments):
                end = min(end, moments[index + 1][1])
            if start <= now < end:
                found.append(due(day, stage, start.date()))
    return found


def office_day(item: Due, office: Calendar) -> date:
    """Return the day the office calendar sends this round (the key's plain form)."""
    return item.day if item.stage in ("1", "2") else office.next_workday(item.day)


def run_key(
    prefix: str, item: Due, times: ReminderTimes, default: ReminderTimes, office: Calendar
) -> str:
    """Return the period key, e.g. reminder:2026-11-23:1, reminder:2026-11-21:3~2026-11-24."""
    key = f"{prefix}:{item.day.isoformat()}:{item.stage}"
    if item.on != office_day(item, office):
        key += f"~{item.on.isoformat()}"
    if times == default:
        return key
    parts = (times.first, times.second, times.third, times.notice)
    return (
        key + "@" + "-".join(t.strftime("%H%M") for t in parts) + f"-{times.review_deadline_days}"
    )


def send_spread_seconds(fired: datetime, wanted: int) -> int:
    """Return how long a round may spread its messages without reaching the next :00/:30."""
    past_half = (fired.minute % 30) * 60 + fired.second
    return max(0, min(wanted, 30 * 60 - past_half - 60))
