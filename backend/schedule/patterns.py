"""Work patterns: each member's own working-day calendar.

Semantics (issue 16):

- A member with no pattern and no exception follows the office calendar (`WorkCalendar`:
  chinesecalendar plus the administrator's overrides, make-up working days 调休 included).
- A member's own pattern wins over their section's (科室). With a pattern, the member works on
  day D iff D's ISO weekday is in the pattern and D is not a holiday. A holiday is a day an
  administrator's override marks off, or a statutory festival day (chinesecalendar
  `get_holiday_detail(D)` names a festival and D is off). A weekend without a festival is not a
  holiday for a pattern, and make-up working days (调休, override "上班") add no day to it.
- A dated exception (the member's, else the section's for that day) overrides both: works or not.
- A member with exceptions but no pattern follows the office calendar except on those days.

`member_calendars` loads every calendar a set of members needs in four queries; members with
neither pattern nor exception share the office calendar object, members with equal rules share
one `PatternCalendar`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Protocol

import chinese_calendar
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from backend.models import Staff, WorkDayException, WorkPattern
from backend.org.work_patterns import WorkPatternError, parse_weekdays, weekdays_label
from backend.schedule.calendar import load_calendar
from backend.schedule.workdays import WorkCalendar

__all__ = [
    "Calendar",
    "MemberCalendars",
    "PatternCalendar",
    "WorkPatternError",
    "member_calendars",
    "members_working",
    "own_workday",
    "parse_weekdays",
    "weekdays_label",
]

# Exceptions are loaded this far either side of the range asked for, so next/previous workday
# near the range's edges still see them.
EXCEPTION_MARGIN = timedelta(days=45)
# Built once: the bot asks these on every 今天/本周 (building one costs more than running it).
_PATTERNS = select(WorkPattern)
_EXCEPTIONS = select(WorkDayException)
_EXCEPTIONS_AROUND = _EXCEPTIONS.where(
    col(WorkDayException.day).between(bindparam("start"), bindparam("end"))
)
MAX_SEARCH_DAYS = 400


class Calendar(Protocol):
    """What WorkCalendar and PatternCalendar both answer."""

    def is_workday(self, day: date) -> bool: ...
    def next_workday(self, day: date) -> date: ...
    def previous_workday(self, day: date) -> date: ...
    def workdays_between(self, start: date, end: date) -> list[date]: ...


@lru_cache(maxsize=4096)
def is_festival(day: date) -> bool:
    """Tell whether `day` is a statutory festival day off (a plain weekend is not)."""
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False
    return bool(holiday and name)


@dataclass(frozen=True, eq=False)
class PatternCalendar:
    """A member's calendar: a weekly pattern (None: the office's) with dated exceptions."""

    office: WorkCalendar
    weekdays: frozenset[int] | None
    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        """Tell whether the member works on `day`."""
        if day in self.exceptions:
            return self.exceptions[day]
        if self.weekdays is None:
            return self.office.is_workday(day)
        if day.isoweekday() not in self.weekdays:
            return False
        return self.office.overrides.get(day) is not False and not is_festival(day)

    def next_workday(self, day: date) -> date:
        """Return the member's first working day after `day`."""
        return self._step(day, 1)

    def previous_workday(self, day: date) -> date:
        """Return the member's last working day before `day`."""
        return self._step(day, -1)

    def _step(self, day: date, direction: int) -> date:
        for offset in range(1, MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset * direction)
            if self.is_workday(candidate):
                return candidate
        raise WorkPatternError("该工作日安排在一年内没有工作日")

    def workdays_between(self, start: date, end: date) -> list[date]:
        """Return the member's working days from `start` to `end`, both included."""
        days = (start + timedelta(days=i) for i in range((end - start).days + 1))
        return [day for day in days if self.is_workday(day)]


class MemberCalendars(Mapping[int, Calendar]):
    """staff id → calendar; a member not listed follows the office calendar."""

    def __init__(self, office: WorkCalendar, own: Mapping[int, Calendar]) -> None:
        self.office = office
        self._own = dict(own)

    def __getitem__(self, staff_id: int) -> Calendar:
        return self._own.get(staff_id, self.office)

    def __iter__(self) -> Iterator[int]:
        return iter(self._own)

    def __len__(self) -> int:
        return len(self._own)

    def follows_office(self, staff_id: int) -> bool:
        """Tell whether the member is on the office calendar (no pattern, no exception)."""
        return staff_id not in self._own

    def groups(self, staff_ids: Collection[int]) -> list[tuple[Calendar, list[int]]]:
        """Group members by calendar object (the office's first), keeping their order."""
        found: dict[int, tuple[Calendar, list[int]]] = {id(self.office): (self.office, [])}
        for staff_id in staff_ids:
            calendar = self[staff_id]
            found.setdefault(id(calendar), (calendar, []))[1].append(staff_id)
        return [group for group in found.values() if group[1]]


def member_calendars(
    session: Session,
    staff_ids: Collection[int] | None = None,
    around: tuple[date, date] | None = None,
    *,
    office: WorkCalendar | None = None,
) -> MemberCalendars:
    """Return each member's calendar (None: every member), exceptions loaded `around` a range."""
    office = office or load_calendar(session)
    patterns = session.execute(_PATTERNS).scalars().all()
    exceptions = _exceptions(session, around)
    if not patterns and not exceptions:
        return MemberCalendars(office, {})
    by_staff = {p.staff_id: p.weekdays for p in patterns if p.staff_id is not None}
    by_section: dict[int | None, str] = {
        p.section_id: p.weekdays for p in patterns if p.section_id is not None
    }
    own_days, section_days = _split(exceptions)
    cache: dict[tuple, Calendar] = {}
    own: dict[int, Calendar] = {}
    if staff_ids is None:  # only members who have, or whose section has, rules of their own
        staff_ids = _members_with_rules(
            session, by_staff.keys() | own_days.keys(), by_section.keys() | section_days.keys()
        )
    for staff_id, section_id in _sections_of(session, staff_ids):
        weekdays = by_staff.get(staff_id) or by_section.get(section_id)
        days = section_days.get(section_id, {}) | own_days.get(staff_id, {})
        if weekdays is None and not days:
            continue
        key = (weekdays, tuple(sorted(days.items())))
        if key not in cache:
            digits = None if weekdays is None else frozenset(int(d) for d in weekdays)
            cache[key] = PatternCalendar(office, digits, days)
        own[staff_id] = cache[key]
    return MemberCalendars(office, own)


def _members_with_rules(
    session: Session, staff_ids: Collection[int], section_ids: Collection[int | None]
) -> list[int]:
    stmt = select(Staff.id).where(
        col(Staff.id).in_(list(staff_ids)) | col(Staff.section_id).in_(list(section_ids))
    )
    return [staff_id for staff_id in session.exec(stmt).all() if staff_id is not None]


def _exceptions(session: Session, around: tuple[date, date] | None) -> list[WorkDayException]:
    if around is None:
        return list(session.execute(_EXCEPTIONS).scalars())
    start, end = around[0] - EXCEPTION_MARGIN, around[1] + EXCEPTION_MARGIN
    return list(session.execute(_EXCEPTIONS_AROUND, {"start": start, "end": end}).scalars())


def _split(rows: list[WorkDayException]) -> tuple[dict[int, dict], dict[int | None, dict]]:
    own: dict[int, dict[date, bool]] = {}
    section: dict[int | None, dict[date, bool]] = {}
    for row in rows:
        if row.staff_id is not None:
            own.setdefault(row.staff_id, {})[row.day] = row.works
        elif row.section_id is not None:
            section.setdefault(row.section_id, {})[row.day] = row.works
    return own, section


def _sections_of(
    session: Session, staff_ids: Collection[int] | None
) -> list[tuple[int, int | None]]:
    stmt = select(Staff.id, Staff.section_id)
    if staff_ids is not None:
        if not staff_ids:
            return []
        stmt = stmt.where(col(Staff.id).in_(list(staff_ids)))
    return [(sid, section) for sid, section in session.exec(stmt).all() if sid is not None]


def own_workday(session: Session, staff_id: int, day: date) -> bool:
    """Tell whether the member works on `day` on their own calendar."""
    return member_calendars(session, [staff_id], (day, day))[staff_id].is_workday(day)


def members_working(session: Session, *, day: date, department_ids: Collection[int]) -> list[int]:
    """Return the active, evaluated members of these departments who work on `day`."""
    stmt = select(Staff.id).where(
        col(Staff.active),
        col(Staff.is_leader).is_(False),
        col(Staff.department_id).in_(list(department_ids)),
    )
    ids = [staff_id for staff_id in session.exec(stmt).all() if staff_id is not None]
    calendars = member_calendars(session, ids, (day, day))
    return [staff_id for staff_id in ids if calendars[staff_id].is_workday(day)]
