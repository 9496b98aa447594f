"""Absences by chat: `请假 今天`, `出差 11-24至11-26`, a reviewer's `请假 李晓燕 11-24`."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlmodel import Session

from backend.models import AbsenceKind, Staff
from backend.models.schedule import ABSENCE_LABELS
from backend.schedule import absences
from backend.schedule.absences import AbsenceError
from bot.replies import Reply, TextReply
from handlers import absence_texts as texts
from handlers.parsing import HOURS_PATTERN, ParseError, parse_date

KINDS = {"请假": AbsenceKind.LEAVE, "出差": AbsenceKind.TRIP}
CANCEL_WORDS = ("取消请假", "取消出差")
AHEAD = {"明天": 1, "明日": 1, "后天": 2}
RANGE = re.compile(r"\s*(?:至|到|~|～|—|－－)\s*")


def is_absence_command(text: str) -> bool:
    """Tell whether the text asks to record or cancel an absence (not a quick duty entry)."""
    if not text.startswith((*KINDS, *CANCEL_WORDS)):
        return False
    return HOURS_PATTERN.search(text) is None


def absence_command(session: Session, staff: Staff, text: str, *, now: datetime) -> list[Reply]:
    """Record or cancel an absence for the sender, or (reviewer) for a colleague."""
    cancel = text.startswith(CANCEL_WORDS)
    word = text[:4] if cancel else text[:2]
    rest = text[len(word) :].strip()
    if not rest:
        return [TextReply(texts.USAGE)]
    try:
        return _apply(session, staff, word, rest, now.date(), cancel)
    except AbsenceError as exc:
        return [TextReply(str(exc))]


def _apply(session, staff, word: str, rest: str, today: date, cancel: bool) -> list[Reply]:
    name, period = _split_name(rest)
    target = staff if name is None else _colleague(session, staff, name)
    start, end = read_period(period, today)
    label = "" if target.id == staff.id else target.name
    if cancel:
        count = absences.cancel_absences(session, staff=target, day=start)
        template = texts.CANCELLED if count else texts.NOTHING_TO_CANCEL
        return [TextReply(template.format(name=label, day=_day(start), count=count))]
    kind = KINDS[word]
    absences.mark_absent(
        session, staff=target, kind=kind, start=start, end=end, set_by=staff, today=today
    )
    template = texts.SAVED_SELF if target.id == staff.id else texts.SAVED_OTHER
    period_text = _day(start) if start == end else f"{_day(start)}至{_day(end)}"
    return [
        TextReply(template.format(name=target.name, kind=ABSENCE_LABELS[kind], period=period_text))
    ]


def _split_name(rest: str) -> tuple[str | None, str]:
    first, _, remainder = rest.partition(" ")
    if remainder.strip() and not _looks_like_date(first):
        return first, remainder.strip()
    return None, rest


def _looks_like_date(token: str) -> bool:
    return bool(re.match(r"^[\d今明后昨前]", token))


def _colleague(session: Session, setter: Staff, name: str) -> Staff:
    found = absences.find_colleague(session, setter=setter, name=name)
    if not found:
        raise AbsenceError(texts.NOBODY.format(name=name))
    if len(found) > 1:
        raise AbsenceError(
            texts.SEVERAL.format(count=len(found), name=name, example=found[0].wecom_userid)
        )
    if found[0].id != setter.id:
        absences.ensure_may_set_for(session, setter=setter, staff=found[0])
    return found[0]


def read_period(text: str, today: date) -> tuple[date, date]:
    """Read one day or a range such as 11-24至11-26."""
    parts = RANGE.split(text.strip())
    if len(parts) > 2 or not all(parts):
        raise AbsenceError(texts.DATE_UNREADABLE.format(text=text))
    start, end = (_read_day(part, today) for part in (parts[0], parts[-1]))
    if end < start and end.month < start.month and len(parts[-1]) <= 6:
        end = end.replace(year=end.year + 1)  # 12-30至01-02 crosses the new year
    return start, end


def _read_day(text: str, today: date) -> date:
    value = text.strip()
    if value in AHEAD:
        return today + timedelta(days=AHEAD[value])
    try:
        return parse_date(value, today)
    except ParseError:
        raise AbsenceError(texts.DATE_UNREADABLE.format(text=value)) from None


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"
