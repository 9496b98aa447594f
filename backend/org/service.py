"""Writes to the organisation and its duty catalogues: departments, sections, staff, key tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from backend.models import (
    BotGroupChat,
    ChatTargetKind,
    Department,
    DepartmentKind,
    Duty,
    FunctionType,
    KeyTask,
    KeyTaskDuty,
    Section,
    Staff,
    TaskType,
    saved_id,
)


def add_department(
    session: Session, *, name: str, short_name: str, parent: Department | None
) -> Department:
    """Add a department, or an institution when it has a parent."""
    kind = DepartmentKind.INSTITUTION if parent else DepartmentKind.DEPARTMENT
    department = Department(
        name=name, short_name=short_name, parent_id=saved_id(parent) if parent else None, kind=kind
    )
    session.add(department)
    return department


def add_section(session: Session, *, department: Department, name: str) -> Section:
    """Add a section to a department."""
    section = Section(department_id=saved_id(department), name=name)
    session.add(section)
    return section


def set_staff_active(session: Session, *, staff: Staff, active: bool) -> None:
    """Mark a member as in post or left (their entries are kept)."""
    staff.active = active
    session.add(staff)


def update_duty(
    session: Session,
    *,
    duty: Duty,
    function_type: str,
    standard_hours: float | None,
    default_task_type_code: str | None,
    active: bool,
) -> None:
    """Change a duty's function type, standard hours, default task type and active flag."""
    duty.function_type = FunctionType(function_type)
    duty.standard_hours = standard_hours
    duty.default_task_type_code = default_task_type_code
    duty.active = active
    session.add(duty)


def set_task_type_hours(session: Session, *, task_type: TaskType, hours: float) -> None:
    """Change a task type's standard hours per entry."""
    task_type.standard_hours = hours
    session.add(task_type)


def add_key_task(
    session: Session, *, department: Department, year: int, title: str, duties: list[Duty]
) -> KeyTask:
    """Add an annual key task linked to these duties."""
    task = KeyTask(department_id=saved_id(department), year=year, title=title)
    session.add(task)
    session.flush()
    task_id = saved_id(task)
    session.add_all(KeyTaskDuty(key_task_id=task_id, duty_id=saved_id(duty)) for duty in duties)
    return task


def delete_key_task(session: Session, *, task: KeyTask) -> None:
    """Delete a key task and its links to duties (the caller checks no entry refers to it)."""
    session.exec(delete(KeyTaskDuty).where(col(KeyTaskDuty.key_task_id) == task.id))
    session.delete(task)


def set_chat_target(
    session: Session, *, department: Department, kind: str, target: str, files_key: str = ""
) -> None:
    """Set (or clear, with empty values) the group chat a department's reports go to.

    `files_key`: a bot group's message-push key, for the images and files the bot cannot post.
    """
    department.chat_target_kind = ChatTargetKind(kind) if kind else None
    department.chat_target = target or None
    department.chat_webhook_key = (files_key or None) if kind == ChatTargetKind.BOT else None
    session.add(department)


def note_bot_group(session: Session, *, chatid: str, userid: str, now: datetime) -> None:
    """Remember a group chat where a member @-mentioned the bot (a candidate group route)."""
    group = session.exec(select(BotGroupChat).where(BotGroupChat.chatid == chatid)).first()
    if group is None:
        group = BotGroupChat(chatid=chatid, first_seen_at=now)
    group.last_userid, group.last_seen_at = userid, now
    session.add(group)
