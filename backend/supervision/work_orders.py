"""The complaint loop: open a work order, return visit, rectification, close, follow-up rating."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from backend.models import saved_id, utcnow
from backend.models.supervision import Rating, WorkOrder, WorkOrderStatus
from backend.schedule.calendar import load_calendar
from backend.schedule.job_runs import claim_run
from backend.schedule.workdays import WorkCalendar
from backend.supervision import digest, notify, texts
from backend.supervision.errors import SupervisionError
from backend.supervision.random_codes import new_token
from backend.supervision.rules import PublicBounds, alerts_for, deadlines

if TYPE_CHECKING:
    from backend.supervision.ratings import RatingInput

MAX_NOTE = 1000
ALERT_JOB = "supervision-deadlines"


def work_calendar(session: Session) -> WorkCalendar:
    """Return the working calendar, with the administrator's holiday and make-up-day overrides."""
    return load_calendar(session)


def open_work_order(
    session: Session,
    *,
    rating: Rating,
    answers: RatingInput,
    now: datetime,
    digest_every: timedelta = PublicBounds.digest_every,
) -> WorkOrder:
    """Turn a bad rating or a complaint into a work order; tell heads at once or in a digest."""
    visit_due, rectify_due = deadlines(work_calendar(session), now.date())
    order = WorkOrder(
        ticket=new_token(),
        rating_id=saved_id(rating),
        department_id=rating.department_id,
        staff_id=rating.staff_id,
        is_complaint=answers.complaint,
        complaint=answers.comment if answers.complaint else "",
        contact_name=answers.contact_name,
        contact_phone=answers.contact_phone,
        opened_on=now.date(),
        visit_due=visit_due,
        rectify_due=rectify_due,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.flush()
    digest.announce_or_hold(session, order=order, now=now, every=digest_every)
    return order


def find_order(session: Session, *, ticket: str) -> WorkOrder:
    """Return the order a visitor asks about by ticket, or refuse."""
    ticket = (ticket or "").strip().upper()
    order = session.exec(select(WorkOrder).where(WorkOrder.ticket == ticket)).first()
    if not ticket or order is None:
        raise SupervisionError(texts.UNKNOWN_TICKET, 404)
    return order


def get_order(session: Session, *, order_id: int, department_ids: set[int] | None) -> WorkOrder:
    """Return an order an official may see (None = every department), or 404."""
    order = session.get(WorkOrder, order_id)
    if order is None or (department_ids is not None and order.department_id not in department_ids):
        raise SupervisionError(texts.ORDER_NOT_FOUND, 404)
    return order


def list_orders(
    session: Session, *, department_ids: set[int] | None, status: WorkOrderStatus | None = None
) -> list[WorkOrder]:
    """Return visible orders, newest first, optionally of one status."""
    stmt = select(WorkOrder).order_by(col(WorkOrder.id).desc())
    if department_ids is not None:
        stmt = stmt.where(col(WorkOrder.department_id).in_(department_ids))
    if status is not None:
        stmt = stmt.where(WorkOrder.status == status)
    return list(session.exec(stmt))


def _advance(order: WorkOrder, *, expected: WorkOrderStatus, action: str, note: str, what: str):
    if order.status != expected:
        status = texts.STATUS_LABELS[order.status]
        raise SupervisionError(texts.WRONG_STEP.format(status=status, action=action), 409)
    note = (note or "").strip()
    if not note:
        raise SupervisionError(texts.NOTE_REQUIRED.format(what=what))
    if len(note) > MAX_NOTE:
        raise SupervisionError(texts.NOTE_TOO_LONG.format(what=what, limit=MAX_NOTE))
    order.updated_at = utcnow()
    return note


def record_visit(session: Session, *, order: WorkOrder, note: str, today: date) -> None:
    """Record the return visit to the visitor (回访)."""
    order.visit_note = _advance(
        order, expected=WorkOrderStatus.OPEN, action="记录回访", note=note, what="回访情况"
    )
    order.visited_on, order.status = today, WorkOrderStatus.VISITED
    session.flush()


def report_rectification(session: Session, *, order: WorkOrder, note: str, today: date) -> None:
    """Record the rectification report (整改情况)."""
    order.rectify_note = _advance(
        order, expected=WorkOrderStatus.VISITED, action="报送整改", note=note, what="整改情况"
    )
    order.rectified_on, order.status = today, WorkOrderStatus.RECTIFIED
    session.flush()


def close_order(session: Session, *, order: WorkOrder, note: str, today: date) -> None:
    """Close the order after rectification (办结); the visitor may then rate once more."""
    order.close_note = _advance(
        order, expected=WorkOrderStatus.RECTIFIED, action="办结", note=note, what="办结意见"
    )
    order.closed_on, order.status = today, WorkOrderStatus.CLOSED
    session.flush()


def submit_followup(
    session: Session, *, order: WorkOrder, answers: RatingInput, now: datetime
) -> Rating:
    """Store the visitor's one follow-up rating of a closed order (it opens no new order)."""
    if order.status != WorkOrderStatus.CLOSED:
        raise SupervisionError(texts.FOLLOWUP_NOT_READY, 409)
    if order.followup_rating_id is not None:
        raise SupervisionError(texts.FOLLOWUP_DONE, 409)
    original = session.get_one(Rating, order.rating_id)
    rating = Rating(
        code_id=original.code_id,
        department_id=order.department_id,
        staff_id=order.staff_id,
        level=answers.level,
        tags="、".join(answers.tags),
        comment=answers.comment,
        rated_on=now.date(),
        dedupe_key=f"followup:{order.id}",
        is_followup=True,
        created_at=now,
    )
    session.add(rating)
    session.flush()
    order.followup_rating_id = rating.id
    session.flush()
    return rating


def send_due_alerts(session: Session, *, today: date) -> int:
    """Send each reminder and escalation due today, once per order and stage; return how many."""
    calendar = work_calendar(session)
    active = (WorkOrderStatus.OPEN, WorkOrderStatus.VISITED)
    orders = session.exec(select(WorkOrder).where(col(WorkOrder.status).in_(active)))
    sent = 0
    for order in orders:
        for alert in alerts_for(
            status=order.status,
            visit_due=order.visit_due,
            rectify_due=order.rectify_due,
            today=today,
            calendar=calendar,
        ):
            if claim_run(session, key=f"{ALERT_JOB}:{order.id}:{alert.stage}", job=ALERT_JOB):
                notify.send_alert(session, order=order, alert=alert)
                sent += 1
    return sent
