"""New work orders reach heads and administrators coalesced: at once, then one digest per unit.

A unit's first new order is announced at once. Orders opened within `digest_every` of the unit's
last announcement are held (`WorkOrder.announced_at` NULL); the scheduler's digest job (or the
next order after the interval) sends them as one message listing each. Nothing is dropped: every
order is announced exactly once, either alone or in a digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backend.models.supervision import Rating, WorkOrder
from backend.outbox.service import OutgoingContent, enqueue_to_users
from backend.supervision import notify, texts
from bot.neutral import for_text

DIGEST_LISTED = 10  # orders listed one per line; the rest are counted
DIGEST_TEXT = 60  # characters of each complaint shown in a digest line


def last_announced(session: Session, department_id: int) -> datetime | None:
    """Return when the unit's heads were last told of a new order."""
    return session.exec(
        select(WorkOrder.announced_at)
        .where(WorkOrder.department_id == department_id, col(WorkOrder.announced_at).is_not(None))
        .order_by(col(WorkOrder.announced_at).desc())
        .limit(1)
    ).first()


def _held(session: Session, department_id: int) -> list[WorkOrder]:
    stmt = select(WorkOrder).where(
        WorkOrder.department_id == department_id, col(WorkOrder.announced_at).is_(None)
    )
    return list(session.exec(stmt.order_by(col(WorkOrder.id))))


def _due(session: Session, department_id: int, *, now: datetime, every: timedelta) -> bool:
    last = last_announced(session, department_id)
    return last is None or last <= now - every


def announce_or_hold(
    session: Session, *, order: WorkOrder, now: datetime, every: timedelta
) -> bool:
    """Announce a new order (with any held ones) unless the unit heard of one within `every`."""
    session.flush()
    if not _due(session, order.department_id, now=now, every=every):
        return False
    _announce(session, order.department_id, _held(session, order.department_id), now=now)
    return True


def send_digests(session: Session, *, now: datetime, every: timedelta) -> int:
    """Send one message per unit whose held orders waited out the interval; return how many."""
    held_units = select(WorkOrder.department_id).where(col(WorkOrder.announced_at).is_(None))
    sent = 0
    for department_id in sorted(set(session.exec(held_units))):
        if _due(session, department_id, now=now, every=every):
            _announce(session, department_id, _held(session, department_id), now=now)
            sent += 1
    return sent


def has_held_orders(session: Session) -> bool:
    """Tell whether any new order still waits for its digest."""
    stmt = select(WorkOrder.id).where(col(WorkOrder.announced_at).is_(None)).limit(1)
    return session.exec(stmt).first() is not None


def _announce(session: Session, department_id: int, orders: list[WorkOrder], *, now) -> None:
    if len(orders) == 1:
        notify.announce_order(session, order=orders[0], rating=_rating(session, orders[0]))
    elif orders:
        _send_digest(session, department_id, orders)
    for order in orders:
        order.announced_at = now
    session.flush()


def _send_digest(session: Session, department_id: int, orders: list[WorkOrder]) -> None:
    lines = "\n".join(_line(session, order) for order in orders[:DIGEST_LISTED])
    rest = len(orders) - DIGEST_LISTED
    text = texts.ORDER_DIGEST.format(
        department=notify._department_name(session, department_id),
        count=len(orders),
        lines=lines,
        more=texts.ORDER_DIGEST_MORE.format(count=rest) if rest > 0 else "",
    )
    users = notify.head_userids(session, department_id) + notify.admin_userids(session)
    key = f"supervision:digest:{department_id}:{orders[0].id}-{orders[-1].id}"
    enqueue_to_users(
        session, user_ids=users, content=OutgoingContent("text", {"content": text}), dedupe_key=key
    )


def _line(session: Session, order: WorkOrder) -> str:
    rating = _rating(session, order)
    return texts.ORDER_DIGEST_LINE.format(
        ticket=order.ticket,
        kind=texts.KIND_COMPLAINT if order.is_complaint else texts.KIND_BAD_RATING,
        level=texts.LEVEL_LABELS[rating.level],
        target=notify._target(session, order),
        text=for_text((order.complaint or rating.tags or texts.NO_TEXT)[:DIGEST_TEXT]),
    )


def _rating(session: Session, order: WorkOrder) -> Rating:
    return session.get_one(Rating, order.rating_id)
