"""Reminder settings and the queries behind 三提醒一通报: who has not logged or reviewed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import func, or_
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.models import (
    Department,
    DutyEntry,
    EntryStatus,
    ReminderSetting,
    Role,
    Staff,
    saved_ids,
    utcnow,
)
from backend.schedule.absences import absent_on
from backend.schedule.patterns import Calendar, member_calendars
from backend.schedule.workdays import WorkCalendar

TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


class ReminderSettingError(ValueError):
    """Reminder times the service refuses; the message (Chinese) says why."""


@dataclass(frozen=True)
class ReminderTimes:
    """When the three reminders and the notice go out (local times)."""

    first: time = time(16, 30)
    second: time = time(17, 30)
    third: time = time(9, 0)
    notice: time = time(10, 0)
    review_deadline_days: int = 2


DEFAULT_TIMES = ReminderTimes()


@dataclass(frozen=True)
class Missing:
    """A member (or reviewer) still missing, with their department."""

    staff_id: int
    wecom_userid: str
    name: str
    department_id: int
    waiting: int = 0


def parse_time(text: str) -> time:
    """Read HH:MM (also with a full-width colon)."""
    match = TIME_PATTERN.match(str(text).strip())
    if match is None:
        raise ReminderSettingError(f"时间“{text}”格式不对，请写成如 16:30")
    return time(int(match[1]), int(match[2]))


def _times_of(row: ReminderSetting) -> ReminderTimes:
    return ReminderTimes(
        parse_time(row.first_at),
        parse_time(row.second_at),
        parse_time(row.third_at),
        parse_time(row.notice_at),
        row.review_deadline_days,
    )


def setting_row(session: Session, *, department_id: int | None) -> ReminderSetting | None:
    """Return the stored setting row (global when department_id is None)."""
    stmt = select(ReminderSetting).where(ReminderSetting.department_id == department_id)
    if department_id is None:
        stmt = select(ReminderSetting).where(col(ReminderSetting.department_id).is_(None))
    return session.exec(stmt).first()


def global_times(session: Session) -> ReminderTimes:
    """Return the global reminder times (defaults when none are stored)."""
    row = setting_row(session, department_id=None)
    return DEFAULT_TIMES if row is None else _times_of(row)


def save_times(
    session: Session, *, department_id: int | None, values: dict[str, str]
) -> ReminderSetting:
    """Store reminder times (first_at, second_at, third_at, notice_at, review_deadline_days)."""
    times = _validated(values)
    row = setting_row(session, department_id=department_id)
    row = row or ReminderSetting(department_id=department_id)
    row.first_at, row.second_at = _hhmm(times.first), _hhmm(times.second)
    row.third_at, row.notice_at = _hhmm(times.third), _hhmm(times.notice)
    row.review_deadline_days, row.updated_at = times.review_deadline_days, utcnow()
    session.add(row)
    session.flush()
    return row


def _validated(values: dict[str, str]) -> ReminderTimes:
    names = ("first_at", "second_at", "third_at", "notice_at")
    first, second, third, notice = (parse_time(values.get(name, "")) for name in names)
    if not first < second:
        raise ReminderSettingError("第二次提醒须晚于第一次提醒")
    if not third < notice:
        raise ReminderSettingError("通报时间须晚于次日的第三次提醒")
    try:
        days = int(str(values.get("review_deadline_days", "2")).strip())
    except ValueError:
        raise ReminderSettingError("审核期限请填1–10之间的整数（工作日）") from None
    if not 1 <= days <= 10:
        raise ReminderSettingError("审核期限请填1–10之间的整数（工作日）")
    return ReminderTimes(first, second, third, notice, days)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def clear_department_times(session: Session, *, department_id: int) -> bool:
    """Let a department follow the global times again; False if it had none of its own."""
    row = setting_row(session, department_id=department_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def department_groups(session: Session) -> dict[ReminderTimes, list[int]]:
    """Group the departments by their effective reminder times."""
    default = global_times(session)
    own = {
        row.department_id: _times_of(row)
        for row in session.exec(
            select(ReminderSetting).where(col(ReminderSetting.department_id).is_not(None))
        )
    }
    groups: dict[ReminderTimes, list[int]] = {}
    department_ids = session.exec(select(Department.id).order_by(col(Department.id)))
    for department_id in saved_ids(department_ids):
        groups.setdefault(own.get(department_id, default), []).append(department_id)
    return groups


def missing_staff(
    session: Session,
    *,
    day: date,
    department_ids: list[int],
    calendars: Mapping[int, Calendar] | None = None,
) -> list[Missing]:
    """Return members due on `day` (their own calendar) with nothing logged, absent excluded."""
    logged = select(DutyEntry.staff_id).where(DutyEntry.work_date == day).scalar_subquery()
    stmt = (
        select(Staff.id, Staff.wecom_userid, Staff.name, Staff.department_id)
        .where(
            Staff.active,
            col(Staff.is_leader).is_(False),
            col(Staff.department_id).in_(department_ids),
            col(Staff.id).not_in(logged),
            col(Staff.id).not_in(absent_on(session, day=day)),
            or_(col(Staff.joined_on).is_(None), col(Staff.joined_on) <= day),
        )
        .order_by(col(Staff.department_id), col(Staff.id))
    )
    rows = [Missing(*row) for row in session.exec(stmt)]
    if calendars is None:
        calendars = member_calendars(session, [m.staff_id for m in rows], (day, day))
    return [m for m in rows if calendars[m.staff_id].is_workday(day)]


def member_departments(session: Session, *, staff_ids: list[int]) -> dict[int, int]:
    """Return the department of each of these members."""
    if not staff_ids:
        return {}
    stmt = select(Staff.id, Staff.department_id).where(col(Staff.id).in_(staff_ids))
    return {staff_id: dept for staff_id, dept in session.exec(stmt).all() if staff_id is not None}


def overdue_reviewers(
    session: Session, *, day: date, department_ids: list[int], calendar: WorkCalendar, days: int
) -> list[Missing]:
    """Return reviewers with entries still unreviewed `days` workdays after their work date."""
    cutoff = day
    for _ in range(days):
        cutoff = calendar.previous_workday(cutoff)
    entry_dept = aliased(Department, name="entry_dept")
    # Five columns: more than SQLModel's `select` has typed overloads for.
    stmt = (
        select_columns(
            col(Staff.id),
            col(Staff.wecom_userid),
            col(Staff.name),
            col(Staff.department_id),
            func.count(),
        )
        .select_from(Staff)
        .join(DutyEntry, col(DutyEntry.staff_id) != Staff.id)
        .join(entry_dept, col(entry_dept.id) == DutyEntry.department_id)
        .where(
            col(Staff.active),
            col(Staff.role) == Role.REVIEWER,
            col(Staff.department_id).in_(department_ids),
            col(Staff.id).not_in(absent_on(session, day=day)),
            col(DutyEntry.status) == EntryStatus.SUBMITTED,
            col(DutyEntry.work_date) <= cutoff,
            or_(
                col(entry_dept.id) == Staff.department_id,
                col(entry_dept.parent_id) == Staff.department_id,
            ),
        )
        .group_by(col(Staff.id), col(Staff.wecom_userid), col(Staff.name), col(Staff.department_id))
        .order_by(col(Staff.department_id), col(Staff.id))
    )
    return [Missing(*row) for row in session.execute(stmt)]


def principal_heads(session: Session, *, department_ids: list[int]) -> dict[int, list[str]]:
    """Return each department's principal heads (an institution without one: its parent's)."""
    rows = session.exec(
        select(Staff.department_id, Staff.wecom_userid).where(
            Staff.active, col(Staff.is_principal_head).is_(True)
        )
    ).all()
    heads: dict[int, list[str]] = {}
    for department_id, userid in rows:
        heads.setdefault(department_id, []).append(userid)
    parents = dict(session.exec(select(Department.id, Department.parent_id)).all())
    return {d: heads.get(d) or heads.get(parents.get(d) or -1, []) for d in department_ids}


def department_names(session: Session) -> dict[int, str]:
    """Return every department's name by id."""
    rows = session.exec(select(Department.id, Department.name)).all()
    return {department_id: name for department_id, name in rows if department_id is not None}
