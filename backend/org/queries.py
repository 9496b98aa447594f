"""Look-ups over the organisation: staff, departments, group-chat targets."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, or_, select

from backend.common.values import parse_int
from backend.models import (
    BotGroupChat,
    Department,
    Duty,
    DutyEntry,
    KeyTask,
    KeyTaskDuty,
    Role,
    Section,
    Staff,
    TaskType,
    saved_ids,
)

REVIEWER_ROLES = (Role.REVIEWER, Role.HEAD, Role.ADMIN)

# Built once: the look-up runs on every callback.
_ACTIVE_STAFF = select(Staff).where(Staff.wecom_userid == bindparam("userid"), Staff.active)


def find_active_staff(session: Session, *, wecom_userid: str) -> Staff | None:
    """Return the active member with this WeCom userid, or None for outsiders."""
    return session.execute(_ACTIVE_STAFF, {"userid": wecom_userid}).scalars().first()


def department_of(session: Session, *, staff: Staff) -> Department:
    """Return the member's department (or institution)."""
    department = session.get(Department, staff.department_id)
    if department is None:
        raise LookupError(f"staff {staff.id} has no department")
    return department


def group_department(session: Session, *, department: Department) -> Department:
    """Return the unit whose group chat serves this one (institutions use their parent's)."""
    current = department
    while current.chat_target is None and current.parent_id is not None:
        parent = session.get(Department, current.parent_id)
        if parent is None:
            break
        current = parent
    return current


def review_scope(session: Session, *, role: str, department_id: int | None) -> list[int] | None:
    """Return the departments a member of this role may review (None: all, for an administrator).

    The one definition the console queue, the chat review and the JSON API all use: a reviewer
    or head reviews their own department and its institutions (a department is evaluated
    together with them); anyone else, or anyone without a department, reviews nothing.
    """
    if role == Role.ADMIN:
        return None
    if role not in REVIEWER_ROLES or not department_id:
        return []
    children = select(col(Department.id)).where(col(Department.parent_id) == department_id)
    return [department_id, *sorted(saved_ids(session.exec(children)))]


def reviewable_department_ids(session: Session, reviewer: Staff) -> list[int] | None:
    """Return the departments a member may review (None: all, for an administrator)."""
    return review_scope(session, role=reviewer.role, department_id=reviewer.department_id)


def child_department_ids(session: Session, *, department_id: int) -> list[int]:
    """Return the ids of the institutions under a department."""
    children = select(col(Department.id)).where(col(Department.parent_id) == department_id)
    return saved_ids(session.exec(children))


def departments_in_order(session: Session, *, allowed: set[int] | None = None) -> list[Department]:
    """Return the departments (all, or only `allowed`), parents before institutions."""
    stmt = select(Department).order_by(col(Department.sort_order), col(Department.id))
    if allowed is not None:
        stmt = stmt.where(col(Department.id).in_(allowed or {-1}))
    return list(session.exec(stmt))


def department_names(session: Session) -> dict[int, str]:
    """Return every department's name by id."""
    rows = session.exec(select(col(Department.id), col(Department.name))).all()
    return {key: name for key, name in rows if key is not None}


def department_named(session: Session, *, name: str) -> Department | None:
    """Return the department with exactly this name, or None."""
    return session.exec(select(Department).where(col(Department.name) == name)).first()


def find_department(session: Session, *, department_id: int | None) -> Department | None:
    """Return the department with this id, or None."""
    return session.get(Department, department_id) if department_id is not None else None


def find_staff(session: Session, *, staff_id: int | None) -> Staff | None:
    """Return the member with this id, or None."""
    return session.get(Staff, staff_id) if staff_id is not None else None


def sections_of(session: Session, *, department_ids: list[int]) -> list[Section]:
    """Return the sections of these departments."""
    stmt = select(Section).where(col(Section.department_id).in_(department_ids or [-1]))
    return list(session.exec(stmt))


def section_named(session: Session, *, department_id: int, name: str) -> Section | None:
    """Return the department's section with this name, or None."""
    stmt = select(Section).where(
        col(Section.department_id) == department_id, col(Section.name) == name
    )
    return session.exec(stmt).first()


def active_staff_counts(session: Session, *, department_ids: list[int]) -> dict[int, int]:
    """Return how many active members each of these departments has."""
    stmt = (
        select(col(Staff.department_id), func.count())
        .where(col(Staff.active), col(Staff.department_id).in_(department_ids or [-1]))
        .group_by(col(Staff.department_id))
    )
    return {department_id: count for department_id, count in session.exec(stmt)}


def staff_with_sections(session: Session, *, department_id: int) -> list[tuple[Staff, str]]:
    """Return the department's members with their section names, those in post first."""
    stmt = (
        select(Staff, Section.name)
        .outerjoin(Section, col(Section.id) == Staff.section_id)
        .where(col(Staff.department_id) == department_id)
        .order_by(col(Staff.active).desc(), col(Staff.is_leader).desc(), col(Staff.name))
    )
    return [(staff, section or "") for staff, section in session.exec(stmt)]


def active_staff_of(session: Session, *, department_ids: list[int]) -> list[Staff]:
    """Return the active members of these departments, by department."""
    stmt = (
        select(Staff)
        .where(col(Staff.department_id).in_(department_ids), col(Staff.active).is_(True))
        .order_by(col(Staff.department_id), col(Staff.id))
    )
    return list(session.exec(stmt))


def catalogue_duties(session: Session, *, department_id: int) -> list[Duty]:
    """Return all the department's duties, active first, then by number."""
    stmt = select(Duty).where(col(Duty.department_id) == department_id)
    return list(session.exec(stmt.order_by(col(Duty.active).desc(), col(Duty.seq))))


def key_tasks_with_duty_numbers(
    session: Session, *, department_id: int
) -> list[tuple[KeyTask, list[int]]]:
    """Return the department's key tasks, newest year first, each with its duties' numbers."""
    stmt = select(KeyTask).where(col(KeyTask.department_id) == department_id)
    tasks = session.exec(stmt.order_by(col(KeyTask.year).desc(), col(KeyTask.id))).all()
    links = session.exec(
        select(col(KeyTaskDuty.key_task_id), col(Duty.seq))
        .join(Duty, col(Duty.id) == KeyTaskDuty.duty_id)
        .where(col(KeyTaskDuty.key_task_id).in_([t.id for t in tasks] or [-1]))
    ).all()
    return [(t, sorted(seq for task_id, seq in links if task_id == t.id)) for t in tasks]


def task_type_codes(session: Session) -> list[str]:
    """Return every task type's code."""
    return list(session.exec(select(col(TaskType.code))).all())


def find_duty(session: Session, *, duty_id: int) -> Duty | None:
    """Return the duty with this id, or None."""
    return session.get(Duty, duty_id)


def find_task_type(session: Session, *, code: str) -> TaskType | None:
    """Return the task type with this code, or None."""
    return session.get(TaskType, code)


def find_key_task(session: Session, *, task_id: int) -> KeyTask | None:
    """Return the key task with this id, or None."""
    return session.get(KeyTask, task_id)


def duties_by_numbers(
    session: Session, *, department_id: int, seqs: list[int]
) -> tuple[list[Duty], list[int]]:
    """Return the department's duties with these numbers, and the numbers it has no duty for."""
    stmt = select(Duty).where(
        col(Duty.department_id) == department_id, col(Duty.seq).in_(seqs or [-1])
    )
    duties = list(session.exec(stmt))
    return duties, sorted(set(seqs) - {d.seq for d in duties})


def key_task_in_use(session: Session, *, task_id: int) -> bool:
    """Tell whether any entry refers to this key task."""
    stmt = select(col(DutyEntry.id)).where(col(DutyEntry.key_task_id) == task_id)
    return session.exec(stmt).first() is not None


def departments_by_id(session: Session) -> list[Department]:
    """Return every department in the order they were added."""
    return list(session.exec(select(Department).order_by(col(Department.id))))


def department_name(session: Session, *, department_id: int) -> str:
    """Return the name of a department that must exist (a row refers to it)."""
    department = session.get(Department, department_id)
    if department is None:
        raise LookupError(f"no department {department_id}")
    return department.name


def department_called(session: Session, *, wanted: str) -> Department | None:
    """Return the department whose name, short name or id (digits) is `wanted`, or None."""
    wanted = wanted.strip()
    if not wanted:
        return None  # a blank would match every department without a short name
    match = or_(col(Department.name) == wanted, col(Department.short_name) == wanted)
    number = parse_int(wanted)  # bounded: "²" or a 30-digit number is no id, never a crash
    if number is not None:
        match = or_(match, col(Department.id) == number)
    return session.exec(select(Department).where(match).order_by(col(Department.id))).first()


def has_departments(session: Session) -> bool:
    """Tell whether any department exists yet (an empty database gets the demo county)."""
    return session.exec(select(col(Department.id)).limit(1)).first() is not None


def bot_groups(session: Session, *, limit: int = 50) -> list[tuple[BotGroupChat, Staff | None]]:
    """List the groups where the bot was @-mentioned, latest first, with who wrote last."""
    rows = session.exec(
        select(BotGroupChat, Staff)
        .join(Staff, col(Staff.wecom_userid) == col(BotGroupChat.last_userid), isouter=True)
        .order_by(col(BotGroupChat.last_seen_at).desc())
        .limit(limit)
    ).all()
    return [(group, staff) for group, staff in rows]
