"""Which days each member is expected to log: their own calendar (work patterns), less absences."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlmodel import Session

from backend.reports.analytics import queries
from backend.schedule.patterns import member_calendars
from backend.schedule.workdays import WorkCalendar

Groups = list[tuple[list[date], set[int]]]


def calendar_groups(
    session: Session, members: list[queries.Member], start: date, end: date, office: WorkCalendar
) -> Groups:
    """Return (working days, member ids) per calendar; the first is the office's (maybe empty)."""
    ids = [member.staff_id for member in members]
    calendars = member_calendars(session, ids, (start, end), office=office)
    groups: Groups = [(office.workdays_between(start, end), set())]
    for calendar, group in calendars.groups(ids):
        if calendar is calendars.office:
            groups[0][1].update(group)
        else:
            groups.append((calendar.workdays_between(start, end), set(group)))
    return groups


def reported_on_own_days(session: Session, groups: Groups) -> dict[int, int]:
    """Count the days with an entry among each member's own working days (patterns only)."""
    staff_days = {staff_id: days for days, group in groups for staff_id in group}
    counts = dict.fromkeys(staff_days, 0)
    for staff_id, _ in queries.days_logged(session, staff_days=staff_days):
        counts[staff_id] += 1
    return counts


def excused_days(
    session: Session,
    start: date,
    end: date,
    scope: list[int] | None,
    workdays: Mapping[int, list[date]],
) -> dict[int, set[date]]:
    """Return, per member, their working days on leave or a trip without an entry (not expected)."""
    spans = queries.absences(session, start=start, end=end, scope=scope)
    away = {
        staff_id: {
            day
            for first, last in ranges
            for day in workdays.get(staff_id, ())
            if first <= day <= last
        }
        for staff_id, ranges in spans.items()
    }
    logged = queries.days_logged(session, staff_days=away)
    return {
        staff_id: {day for day in days if (staff_id, day) not in logged}
        for staff_id, days in away.items()
    }
