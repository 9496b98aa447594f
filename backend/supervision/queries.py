"""Read-only queries: the public facts of a unit, and the console's ratings with filters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.models import Department, Section, Staff
from backend.models.org import Duty
from backend.models.supervision import Rating, RatingLevel, SupervisionCode, WorkOrder

MAX_ROWS = 500


@dataclass(frozen=True)
class RatingFilter:
    """What the console's ratings list and export are narrowed to."""

    department_ids: set[int] | None = None  # None = every department
    department_id: int | None = None
    level: RatingLevel | None = None
    start: date | None = None
    end: date | None = None
    followup: bool | None = None


@dataclass(frozen=True)
class RatingRow:
    """One rating as the console lists and exports it."""

    id: int
    created_at: datetime
    department: str
    person: str
    level: RatingLevel
    tags: str
    comment: str
    followup: bool
    ticket: str | None


def _rating_query(flt: RatingFilter):
    person = aliased(Staff)
    stmt = (
        select(Rating, Department.name, person.name, WorkOrder.ticket)
        .join(Department, col(Department.id) == col(Rating.department_id))
        .outerjoin(person, col(person.id) == col(Rating.staff_id))
        .outerjoin(WorkOrder, col(WorkOrder.rating_id) == col(Rating.id))
        .order_by(col(Rating.id).desc())
    )
    if flt.department_ids is not None:
        stmt = stmt.where(col(Rating.department_id).in_(flt.department_ids))
    if flt.department_id is not None:
        stmt = stmt.where(Rating.department_id == flt.department_id)
    if flt.level is not None:
        stmt = stmt.where(Rating.level == flt.level)
    if flt.start is not None:
        stmt = stmt.where(Rating.rated_on >= flt.start)
    if flt.end is not None:
        stmt = stmt.where(Rating.rated_on <= flt.end)
    if flt.followup is not None:
        stmt = stmt.where(Rating.is_followup == flt.followup)
    return stmt


def iter_ratings(
    session: Session, flt: RatingFilter, *, limit: int | None = None
) -> Iterator[RatingRow]:
    """Yield the ratings matching a filter, newest first (streamed for exports)."""
    stmt = _rating_query(flt)
    if limit is not None:
        stmt = stmt.limit(limit)
    for rating, department, person, ticket in session.exec(stmt.execution_options(yield_per=1000)):
        yield RatingRow(
            id=rating.id,
            created_at=rating.created_at,
            department=department,
            person=person or "",
            level=RatingLevel(rating.level),
            tags=rating.tags,
            comment=rating.comment,
            followup=rating.is_followup,
            ticket=ticket,
        )


def visible_departments(session: Session, department_ids: set[int] | None) -> list[Department]:
    """Return the departments an account may choose from, in the usual order."""
    stmt = select(Department).order_by(col(Department.sort_order), col(Department.id))
    if department_ids is not None:
        stmt = stmt.where(col(Department.id).in_(department_ids))
    return list(session.exec(stmt))


def names_by_id(session: Session, model, ids: set[int]) -> dict[int, str]:
    """Return id → name for the given departments or staff."""
    if not ids:
        return {}
    return dict(session.exec(select(model.id, model.name).where(col(model.id).in_(ids))).all())


@dataclass(frozen=True)
class UnitView:
    """What the public page shows: no phone numbers, no WeCom ids, nothing private."""

    department: str
    parent: str | None
    sections: list[str]
    person: str | None
    post: str | None
    person_section: str | None
    duties: list[str] = field(default_factory=list)
    post_changed: bool = False  # the post's code names a member who has left: unit only


def department_code_of_retired_post(session: Session, code: str) -> SupervisionCode | None:
    """Return the unit's own code when `code` is a post code whose member left or stepped back."""
    row = session.exec(select(SupervisionCode).where(SupervisionCode.code == code.upper())).first()
    if row is None or row.staff_id is None:
        return None
    member = session.get(Staff, row.staff_id)
    if row.active and member is not None and member.active:
        return None
    own = select(SupervisionCode).where(
        SupervisionCode.department_id == row.department_id,
        col(SupervisionCode.staff_id).is_(None),
        col(SupervisionCode.active).is_(True),
    )
    return session.exec(own).first()


def unit_view(session: Session, code: SupervisionCode, *, post_changed: bool = False) -> UnitView:
    """Collect the public facts about the unit behind a code (never a member who has left)."""
    department = session.get_one(Department, code.department_id)
    parent = session.get(Department, department.parent_id) if department.parent_id else None
    sections = session.exec(
        select(Section.name).where(Section.department_id == department.id).order_by(col(Section.id))
    ).all()
    duties = session.exec(
        select(Duty.title)
        .where(Duty.department_id == department.id, col(Duty.active).is_(True))
        .order_by(col(Duty.seq))
    ).all()
    member = session.get(Staff, code.staff_id) if code.staff_id else None
    left = member is not None and not member.active
    member = None if left else member  # someone who left is never shown on the public page
    section = session.get(Section, member.section_id) if member and member.section_id else None
    return UnitView(
        department=department.name,
        parent=parent.name if parent else None,
        sections=list(sections),
        person=member.name if member else None,
        post=code.post_title if member else None,
        person_section=section.name if section else None,
        duties=list(duties),
        post_changed=left or post_changed,
    )


def find_code(session: Session, *, code_id: int | None) -> SupervisionCode | None:
    """Return the supervision code with this id, or None."""
    return session.get(SupervisionCode, code_id) if code_id is not None else None


def find_rating(session: Session, *, rating_id: int | None) -> Rating | None:
    """Return the rating with this id, or None (also for no id)."""
    return session.get(Rating, rating_id) if rating_id is not None else None
