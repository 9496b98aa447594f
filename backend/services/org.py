"""Look-ups over the organisation: staff, departments, group-chat targets."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from backend.models import Department, Staff

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
