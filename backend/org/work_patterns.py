"""Work patterns as organisation data: who works which weekdays, and dated exceptions.

The calendar these rows make (what a pattern means for reminders and rates) lives in
`backend.schedule.patterns`; this module holds the parsing of a weekday text (roster column
工作日, the console form) and the one write path for the rows. It sits in `backend.org` because
the roster import writes patterns and `backend.schedule` already imports `backend.org`.
"""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, col, select

from backend.models import Department, Section, Staff, WorkDayException, WorkPattern, utcnow

OFFICE_WEEKDAYS = "12345"
DAY_NAMES = "一二三四五六日"
DIGITS = {**{name: str(i + 1) for i, name in enumerate(DAY_NAMES)}, "天": "7", "七": "7"}
STANDARD_WORDS = {"标准", "标准工作日", "默认", "常规", "正常", "办公日历", "清除", "无"}
EVERY_DAY_WORDS = {"每天", "全周", "全天", "天天", "周一至周日"}
PREFIXES = re.compile(r"星期|礼拜|周")
RANGE_MARKS = "至到~～-—－–"
SEPARATORS = "、,，/;；和及 \u3000"
BAD_TEXT = "“{value}”无法识别，请写成如“周二至周六”“2-6”或“周一、周三、周五”"
MAX_NOTE = 100


class WorkPatternError(ValueError):
    """A pattern or exception the service refuses; the message (Chinese) says why."""


def parse_weekdays(text: str) -> str:
    """Read a weekday text into ISO digits ("23456"); "" means the office calendar (标准)."""
    raw = str(text).strip()
    if raw in STANDARD_WORDS:
        return ""
    if raw in EVERY_DAY_WORDS:
        return "1234567"
    days = _tokens_to_days(PREFIXES.sub("", raw), raw)
    weekdays = "".join(sorted(days))
    return "" if weekdays == OFFICE_WEEKDAYS else weekdays


def _tokens_to_days(body: str, raw: str) -> set[str]:
    days: set[str] = set()
    pending_range = False
    last: str | None = None
    for char in body:
        if char in SEPARATORS:
            continue
        if char in RANGE_MARKS:
            if last is None or pending_range:
                raise WorkPatternError(BAD_TEXT.format(value=raw))
            pending_range = True
            continue
        digit = DIGITS.get(char, char if char in "1234567" else None)
        if digit is None:
            raise WorkPatternError(BAD_TEXT.format(value=raw))
        days |= _span(last, digit) if pending_range and last else {digit}
        last, pending_range = digit, False
    if pending_range or not days:
        raise WorkPatternError(BAD_TEXT.format(value=raw))
    return days


def _span(first: str, last: str) -> set[str]:
    """Return the days from `first` to `last`, wrapping past Sunday (周六至周二)."""
    start, end = int(first), int(last)
    length = (end - start) % 7
    return {str((start - 1 + i) % 7 + 1) for i in range(length + 1)}


def weekdays_label(weekdays: str) -> str:
    """Name a pattern in Chinese: 周二至周六, 周一、周三、周五; "" is the office calendar."""
    if not weekdays:
        return "标准（周一至周五，含法定节假日和调休）"
    numbers = sorted(int(d) for d in set(weekdays))
    names = ["周" + DAY_NAMES[n - 1] for n in numbers]
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{names[0]}至{names[-1]}"
    return "、".join(names)


def _check_owner(session: Session, staff_id: int | None, section_id: int | None) -> None:
    if (staff_id is None) == (section_id is None):
        raise WorkPatternError("请指定一名人员或一个科室（二者选一）")
    if staff_id is not None and session.get(Staff, staff_id) is None:
        raise WorkPatternError("没有这名人员")
    if section_id is not None and session.get(Section, section_id) is None:
        raise WorkPatternError("没有这个科室")


def _check_note(note: str) -> str:
    if len(note.strip()) > MAX_NOTE:
        raise WorkPatternError(f"说明不能超过{MAX_NOTE}字")
    return note.strip()


def _owner_filter(model, staff_id: int | None, section_id: int | None):
    if staff_id is not None:
        return col(model.staff_id) == staff_id
    return col(model.section_id) == section_id


def find_pattern(
    session: Session, *, staff_id: int | None = None, section_id: int | None = None
) -> WorkPattern | None:
    """Return the pattern of one member or one section, or None."""
    stmt = select(WorkPattern).where(_owner_filter(WorkPattern, staff_id, section_id))
    return session.exec(stmt).first()


def set_pattern(
    session: Session,
    *,
    weekdays: str,
    staff_id: int | None = None,
    section_id: int | None = None,
    note: str = "",
) -> WorkPattern | None:
    """Give a member or a section a weekly pattern (a text or digits); 标准 clears it (None)."""
    _check_owner(session, staff_id, section_id)
    digits = parse_weekdays(weekdays)
    if not digits:
        clear_pattern(session, staff_id=staff_id, section_id=section_id)
        return None
    row = find_pattern(session, staff_id=staff_id, section_id=section_id)
    row = row or WorkPattern(staff_id=staff_id, section_id=section_id, weekdays=digits)
    row.weekdays, row.note, row.updated_at = digits, _check_note(note), utcnow()
    session.add(row)
    session.flush()
    return row


def clear_pattern(
    session: Session, *, staff_id: int | None = None, section_id: int | None = None
) -> bool:
    """Let a member or section follow the office calendar again; False if it had no pattern."""
    row = find_pattern(session, staff_id=staff_id, section_id=section_id)
    return _drop(session, row)


def remove_pattern(session: Session, *, pattern_id: int) -> bool:
    """Drop one pattern by id (its owner follows the office calendar again); False if none."""
    row = session.get(WorkPattern, pattern_id)
    return _drop(session, row)


def set_exception(
    session: Session,
    *,
    day: date,
    works: bool,
    staff_id: int | None = None,
    section_id: int | None = None,
    note: str = "",
) -> WorkDayException:
    """Say that a member or a section works (or is off) on `day`, replacing an earlier ruling."""
    _check_owner(session, staff_id, section_id)
    stmt = select(WorkDayException).where(
        _owner_filter(WorkDayException, staff_id, section_id), col(WorkDayException.day) == day
    )
    row = session.exec(stmt).first()
    row = row or WorkDayException(staff_id=staff_id, section_id=section_id, day=day, works=works)
    row.works, row.note = works, _check_note(note)
    session.add(row)
    session.flush()
    return row


def remove_exception(session: Session, *, exception_id: int) -> bool:
    """Drop one dated exception; False if there was none."""
    row = session.get(WorkDayException, exception_id)
    return _drop(session, row)


def list_patterns(session: Session) -> list[tuple[WorkPattern, str]]:
    """Return every pattern with whose it is (姓名（部门） or 部门·科室), members first."""
    owners = _owner_names(session)
    rows = session.exec(select(WorkPattern).order_by(col(WorkPattern.id))).all()
    found = [(row, owners.get((row.staff_id, row.section_id), "")) for row in rows]
    return sorted(found, key=lambda pair: (pair[0].staff_id is None, pair[1]))


def list_exceptions(session: Session, *, since: date) -> list[tuple[WorkDayException, str]]:
    """Return the exceptions from `since` on, by day, with whose they are."""
    owners = _owner_names(session)
    stmt = (
        select(WorkDayException)
        .where(col(WorkDayException.day) >= since)
        .order_by(col(WorkDayException.day), col(WorkDayException.id))
    )
    return [(row, owners.get((row.staff_id, row.section_id), "")) for row in session.exec(stmt)]


def _owner_names(session: Session) -> dict[tuple[int | None, int | None], str]:
    departments = dict(session.exec(select(Department.id, Department.name)).all())
    names: dict[tuple[int | None, int | None], str] = {}
    for staff_id, name, department_id in session.exec(
        select(Staff.id, Staff.name, Staff.department_id)
        .join(WorkPattern, col(WorkPattern.staff_id) == Staff.id, isouter=True)
        .join(WorkDayException, col(WorkDayException.staff_id) == Staff.id, isouter=True)
        .where(col(WorkPattern.id).is_not(None) | col(WorkDayException.id).is_not(None))
    ).all():
        names[(staff_id, None)] = f"{name}（{departments.get(department_id, '')}）"
    for section_id, name, department_id in session.exec(
        select(Section.id, Section.name, Section.department_id)
    ).all():
        names[(None, section_id)] = f"{departments.get(department_id, '')}·{name}"
    return names


def find_member(session: Session, *, wecom_userid: str) -> Staff | None:
    """Return the member with this WeCom account (active or not), or None."""
    return session.exec(select(Staff).where(Staff.wecom_userid == wecom_userid.strip())).first()


def _drop(session: Session, row: WorkPattern | WorkDayException | None) -> bool:
    """Delete `row` if there is one; tell whether there was."""
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
