"""Look-ups over the organisation: staff, departments, group-chat targets."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from backend.models import Department, Role, Staff, saved_ids

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
