"""Staffing writes: the approved posts (编制) of a unit from a date on."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from backend.models import Department
from backend.models.staffing import StaffingQuota
from backend.staffing import texts
from backend.staffing.errors import StaffingError

MAX_POSTS = 10000
MAX_NOTE = 200


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POSTS:
        raise StaffingError(texts.COUNT_INVALID.format(label=texts.POST_LABELS[field]))
    return value


def set_quota(
    session: Session,
    *,
    department_id: int,
    effective_from: date,
    administrative_posts: int,
    institution_posts: int,
    logistics_posts: int,
    leadership_posts: int,
    note: str = "",
) -> StaffingQuota:
    """Record (or replace) a unit's approved posts from a date on."""
    if session.get(Department, department_id) is None:
        raise StaffingError(texts.UNIT_MISSING, 404)
    counts = {
        "administrative_posts": administrative_posts,
        "institution_posts": institution_posts,
        "logistics_posts": logistics_posts,
        "leadership_posts": leadership_posts,
    }
    checked = {field: _count(value, field) for field, value in counts.items()}
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise StaffingError(texts.NOTE_TOO_LONG)
    stmt = select(StaffingQuota).where(
        StaffingQuota.department_id == department_id,
        StaffingQuota.effective_from == effective_from,
    )
    quota = session.exec(stmt).first() or StaffingQuota(
        department_id=department_id, effective_from=effective_from
    )
    for field, value in checked.items():
        setattr(quota, field, value)
    quota.note = note
    session.add(quota)
    session.flush()
    return quota


def delete_quota(session: Session, *, quota_id: int) -> int:
    """Delete one quota record; return its unit's id."""
    quota = session.get(StaffingQuota, quota_id)
    if quota is None:
        raise StaffingError(texts.QUOTA_MISSING, 404)
    department_id = quota.department_id
    session.delete(quota)
    session.flush()
    return department_id
