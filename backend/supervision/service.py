"""QR supervision: codes for units, visitors' ratings, and the figures the monthly report reads."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.models import ConsoleSetting, Department, Staff, saved_id, utcnow
from backend.models.supervision import (
    BAD_LEVELS,
    Rating,
    RatingLevel,
    SupervisionCode,
    WorkOrder,
)
from backend.supervision import texts
from backend.supervision.errors import SupervisionError
from backend.supervision.random_codes import new_token

# Visitors' answers are checked in `ratings`; callers reach them through this service too.
from backend.supervision.ratings import MAX_COMMENT as MAX_COMMENT
from backend.supervision.ratings import RatingInput as RatingInput
from backend.supervision.ratings import check_rating as check_rating
from backend.supervision.rules import PublicBounds
from backend.supervision.work_orders import open_work_order

SCALE_SETTING = "supervision.rating_scale"
DEFAULT_BOUNDS = PublicBounds()


# --- codes ---------------------------------------------------------------------------------


def issue_codes(session: Session) -> int:
    """Give every department and every active public-facing staff member a code; return how many."""
    have_department = set(
        session.exec(
            select(SupervisionCode.department_id).where(col(SupervisionCode.staff_id).is_(None))
        )
    )
    have_staff = set(session.exec(select(SupervisionCode.staff_id)))
    created = 0
    for department in session.exec(select(Department)):
        if department.id not in have_department:
            session.add(SupervisionCode(code=new_token(), department_id=saved_id(department)))
            created += 1
    public = select(Staff).where(col(Staff.public_facing).is_(True), col(Staff.active).is_(True))
    for member in session.exec(public):
        if member.id not in have_staff:
            session.add(_staff_code(member, member.post))
            created += 1
    _follow_staff_changes(session)
    session.flush()
    return created


def _follow_staff_changes(session: Session) -> None:
    """Move post codes with staff who changed department; retire those who left or stepped back."""
    rows = session.exec(
        select(SupervisionCode, Staff).join(Staff, col(Staff.id) == col(SupervisionCode.staff_id))
    )
    for code, member in rows:
        code.department_id = member.department_id
        code.active = member.active and member.public_facing


def designate_public_post(session: Session, *, staff_id: int, title: str) -> SupervisionCode:
    """Mark a staff member's post public-facing (titled as on the desk card) and give it a code."""
    member = session.get(Staff, staff_id)
    if member is None:
        raise SupervisionError("人员不存在", 404)
    member.public_facing = True
    existing = session.exec(
        select(SupervisionCode).where(SupervisionCode.staff_id == staff_id)
    ).first()
    if existing is not None:
        existing.post_title, existing.active = title[:50], True
        session.flush()
        return existing
    code = _staff_code(member, title)
    session.add(code)
    session.flush()
    return code


def _staff_code(member: Staff, title: str) -> SupervisionCode:
    return SupervisionCode(
        code=new_token(),
        department_id=member.department_id,
        staff_id=member.id,
        post_title=(title or member.post)[:50],
    )


def find_code(session: Session, code: str) -> SupervisionCode:
    """Return the active code a visitor scanned, or refuse with a clear message."""
    row = session.exec(select(SupervisionCode).where(SupervisionCode.code == code.upper())).first()
    if row is None or not row.active:
        raise SupervisionError(texts.UNKNOWN_CODE, 404)
    return row


def codes_of_department(session: Session, *, department_id: int) -> list[SupervisionCode]:
    """Return a department's active codes: the department's own first, then its posts."""
    stmt = select(SupervisionCode).where(
        SupervisionCode.department_id == department_id, col(SupervisionCode.active).is_(True)
    )
    return sorted(session.exec(stmt), key=lambda c: (c.staff_id is not None, c.id))


def card_facts(session: Session, *, department_id: int) -> list[tuple[str, str, str]]:
    """Return (code, person, post) for each desk card of a department (unit code first)."""
    facts = []
    for code in codes_of_department(session, department_id=department_id):
        member = session.get(Staff, code.staff_id) if code.staff_id else None
        person = member.name if member else texts.CARD_DEPARTMENT_PERSON
        facts.append((code.code, person, code.post_title if member else ""))
    return facts


# --- the rating scale -----------------------------------------------------------------------


def rating_scale(session: Session) -> list[RatingLevel]:
    """Return the levels visitors choose from: five (national standard) or the pilot's four."""
    setting = session.get(ConsoleSetting, SCALE_SETTING)
    return texts.FOUR_LEVELS if setting is not None and setting.value == "4" else texts.FIVE_LEVELS


def set_rating_scale(session: Session, *, levels: int) -> None:
    """Choose the five-level national scale or the original pilot's four levels."""
    if levels not in (4, 5):
        raise SupervisionError("评价等级只能是 4 级或 5 级")
    setting = session.get(ConsoleSetting, SCALE_SETTING) or ConsoleSetting(
        key=SCALE_SETTING, value=""
    )
    setting.value, setting.updated_at = str(levels), utcnow()
    session.add(setting)
    session.flush()


# --- ratings --------------------------------------------------------------------------------


def already_rated(session: Session, *, code: SupervisionCode, device: str, day: date) -> bool:
    """Tell whether this device rated this unit on this day."""
    key = _rating_key(device, code, day)
    return session.exec(select(Rating.id).where(Rating.dedupe_key == key)).first() is not None


def _rating_key(device: str, code: SupervisionCode, day: date) -> str:
    return f"{device[:64]}:{code.id}:{day.isoformat()}"


def submit_rating(
    session: Session,
    *,
    code: SupervisionCode,
    device: str,
    answers: RatingInput,
    now: datetime,
    network: str = "",
    bounds: PublicBounds = DEFAULT_BOUNDS,
) -> tuple[Rating, WorkOrder | None]:
    """Store a rating (one per device, unit, day); a bad one or a complaint opens a work order.

    `network` (a keyed hash of the visitor's /24 or /64; empty from the CLI) and `bounds` cap
    floods per unit and network per day, counted in the database so every worker agrees.
    """
    day = now.date()
    if already_rated(session, code=code, device=device, day=day):
        raise SupervisionError(texts.ALREADY_RATED, 409)
    opens_order = answers.level in BAD_LEVELS or answers.complaint
    _check_flood(session, code.department_id, day, network, bounds, opens_order=opens_order)
    rating = Rating(
        code_id=saved_id(code),
        department_id=code.department_id,
        staff_id=code.staff_id,
        level=answers.level,
        tags="、".join(answers.tags),
        comment=answers.comment,
        rated_on=day,
        dedupe_key=_rating_key(device, code, day),
        network=network,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(rating)
    except IntegrityError:
        raise SupervisionError(texts.ALREADY_RATED, 409) from None
    order = None
    if opens_order:
        order = open_work_order(
            session, rating=rating, answers=answers, now=now, digest_every=bounds.digest_every
        )
    return rating, order


def _check_flood(
    session: Session,
    department_id: int,
    day: date,
    network: str,
    bounds: PublicBounds,
    *,
    opens_order: bool,
) -> None:
    """Refuse a rating past the unit's daily bounds (per network, and for work orders)."""
    session.exec(select(Department.id).where(Department.id == department_id).with_for_update())
    if network:
        from_network = select(func.count()).where(
            Rating.department_id == department_id,
            Rating.rated_on == day,
            Rating.network == network,
            col(Rating.is_followup).is_(False),
        )
        if session.exec(from_network).one() >= bounds.ratings_per_network:
            raise SupervisionError(texts.NETWORK_BUSY, 429)
    if opens_order:
        orders = select(func.count()).where(
            WorkOrder.department_id == department_id, WorkOrder.opened_on == day
        )
        if session.exec(orders).one() >= bounds.orders_per_unit:
            raise SupervisionError(texts.UNIT_BUSY, 429)


# --- the monthly report's figures ----------------------------------------------------------


def rating_summary(
    session: Session,
    *,
    department_id: int,
    start: date,
    end: date,
    as_of: date | None = None,
) -> dict:
    """Count ratings by level and work orders by timeliness for a department over [start, end]."""
    counts = dict.fromkeys((level.value for level in RatingLevel), 0)
    rows = session.exec(
        select(Rating.level, func.count())
        .where(Rating.department_id == department_id, col(Rating.is_followup).is_(False))
        .where(Rating.rated_on >= start, Rating.rated_on <= end)
        .group_by(Rating.level)
    ).all()
    counts.update({str(level): int(number) for level, number in rows})
    total = sum(counts.values())
    bad = sum(counts[level.value] for level in BAD_LEVELS)
    return {
        "by_level": counts,
        "total": total,
        "bad": bad,
        "bad_rate": round(bad / total, 4) if total else 0.0,
        "work_orders": _order_summary(session, department_id, start, end, as_of or end),
    }


def _order_summary(session: Session, department_id: int, start: date, end: date, as_of: date):
    w = WorkOrder
    visit_late = or_(
        and_(col(w.visited_on).is_(None), col(w.visit_due) < as_of),
        col(w.visited_on) > w.visit_due,
    )
    rectify_late = or_(
        and_(col(w.rectified_on).is_(None), col(w.rectify_due) < as_of),
        col(w.rectified_on) > w.rectify_due,
    )
    on_time = and_(col(w.visited_on) <= w.visit_due, col(w.rectified_on) <= w.rectify_due)
    total, late, timely = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(case((or_(visit_late, rectify_late), 1), else_=0)), 0),
            func.coalesce(func.sum(case((on_time, 1), else_=0)), 0),
        ).where(w.department_id == department_id, w.opened_on >= start, w.opened_on <= end)
    ).one()
    return {
        "total": int(total),
        "on_time": int(timely),
        "overdue": int(late),
        "pending": int(total) - int(timely) - int(late),
    }
