"""谁没填: a department head asks who in their department has not logged a working day."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from backend.models import Role, Staff
from backend.org.queries import child_department_ids, department_names
from backend.schedule.calendar import load_calendar
from backend.schedule.patterns import members_working
from backend.schedule.reminders import missing_staff
from bot.neutral import for_text
from bot.replies import Reply, TextReply
from handlers import texts
from handlers.parsing import ParseError, parse_date

WORDS = ("谁没填", "谁未填", "谁没有填")
SHOWN = 30  # names listed per department; the rest are counted


def is_who_missing(text: str) -> bool:
    """Tell whether the text is the 谁没填 command (with an optional day)."""
    return text.startswith(WORDS)


def _day(argument: str, today: date) -> date | None:
    if not argument:
        return today
    try:
        found = parse_date(argument, today)
    except ParseError:
        return None
    return found if found <= today else None


def _may_ask(staff: Staff) -> bool:
    return staff.role in (Role.HEAD, Role.ADMIN) or staff.is_leader or staff.is_principal_head


def who_missing(session: Session, staff: Staff, text: str, *, now: datetime) -> list[Reply]:
    """List the members of the head's department (and its institutions) with nothing logged."""
    if not _may_ask(staff):
        return [TextReply(texts.WHO_MISSING_HEADS_ONLY)]
    argument = text.removeprefix(next(w for w in WORDS if text.startswith(w))).strip()
    day = _day(argument, now.date())
    if day is None:
        return [TextReply(texts.WHO_MISSING_BAD_DAY.format(text=for_text(argument[:20])))]
    label = f"{day.month}月{day.day}日"
    units = [staff.department_id, *child_department_ids(session, department_id=staff.department_id)]
    office_day = load_calendar(session).is_workday(day)
    if not office_day and not members_working(session, day=day, department_ids=units):
        return [TextReply(texts.WHO_MISSING_NOT_WORKDAY.format(day=label))]
    missing = missing_staff(session, day=day, department_ids=units)
    if not missing:
        return [TextReply(texts.WHO_MISSING_NONE.format(day=label))]
    names = department_names(session)
    lines = [] if office_day else [texts.WHO_MISSING_OWN_DAYS.format(day=label)]
    lines.append(texts.WHO_MISSING_HEAD.format(day=label, count=len(missing)))
    for unit in units:
        people = [for_text(m.name) for m in missing if m.department_id == unit]
        if people:
            hidden = len(people) - SHOWN
            more = texts.WHO_MISSING_MORE.format(count=hidden) if hidden > 0 else ""
            lines.append(f"{for_text(names.get(unit, ''))}：{'、'.join(people[:SHOWN])}{more}")
    return [TextReply("\n".join([*lines, texts.WHO_MISSING_HINT]))]
