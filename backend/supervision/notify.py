"""WeCom messages about work orders, through the outbox: to the head, and on escalation the admins.

Recipients: the department's principal head (部门主要负责同志, `Staff.is_principal_head`; an
institution without one falls back to its parent department's head). "Administrators" are the
staff members with `Role.ADMIN` plus the staff members linked to an active admin console account.
A new order goes to both; reminders go to the head (to the administrators when the department has
no head on record); escalations after a deadline go to both.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.models import Department, Staff
from backend.models.accounts import Account, AccountRole
from backend.models.org import Role
from backend.models.supervision import Rating, WorkOrder
from backend.outbox.service import OutgoingContent, enqueue_to_users
from backend.supervision import texts
from backend.supervision.rules import Alert
from bot.neutral import for_text


def head_userids(session: Session, department_id: int) -> list[str]:
    """Return the WeCom ids of a department's principal heads (or its parent's)."""
    department = session.get(Department, department_id)
    while department is not None:
        heads = session.exec(
            select(Staff.wecom_userid).where(
                Staff.department_id == department.id,
                col(Staff.is_principal_head).is_(True),
                col(Staff.active).is_(True),
            )
        ).all()
        if heads:
            return list(heads)
        department = session.get(Department, department.parent_id) if department.parent_id else None
    return []


def admin_userids(session: Session) -> list[str]:
    """Return the WeCom ids of administrators: admin staff and staff behind admin accounts."""
    by_role = select(Staff.wecom_userid).where(
        Staff.role == Role.ADMIN, col(Staff.active).is_(True)
    )
    by_account = (
        select(Staff.wecom_userid)
        .join(Account, col(Account.staff_id) == col(Staff.id))
        .where(Account.role == AccountRole.ADMIN, col(Account.active).is_(True))
    )
    return sorted(set(session.exec(by_role)) | set(session.exec(by_account)))


def announce_order(session: Session, *, order: WorkOrder, rating: Rating) -> None:
    """Tell the head and the administrators that a work order was opened."""
    text = texts.ORDER_OPENED.format(
        department=_department_name(session, order.department_id),
        kind=texts.KIND_COMPLAINT if order.is_complaint else texts.KIND_BAD_RATING,
        level=texts.LEVEL_LABELS[rating.level],
        ticket=order.ticket,
        target=_target(session, order),
        text=for_text((order.complaint or rating.tags or texts.NO_TEXT)[:200]),
        visit_due=order.visit_due.isoformat(),
        rectify_due=order.rectify_due.isoformat(),
    )
    users = head_userids(session, order.department_id) + admin_userids(session)
    _send(session, users, text, f"supervision:order:{order.id}:opened")


def _reminded(session: Session, department_id: int, *, escalate: bool) -> list[str]:
    heads = head_userids(session, department_id)
    if escalate or not heads:  # no head on record: the administrators follow the order up
        return heads + admin_userids(session)
    return heads


def send_alert(session: Session, *, order: WorkOrder, alert: Alert) -> None:
    """Remind the head of a deadline, or escalate to the administrators once it has passed."""
    template = {
        "visit-remind": texts.VISIT_REMINDER,
        "visit-overdue": texts.VISIT_OVERDUE,
        "rectify-remind": texts.RECTIFY_REMINDER,
        "rectify-overdue": texts.RECTIFY_OVERDUE,
    }[alert.stage]
    text = template.format(
        ticket=order.ticket,
        department=_department_name(session, order.department_id),
        due=alert.due.isoformat(),
        left=alert.left,
    )
    users = _reminded(session, order.department_id, escalate=alert.escalates)
    _send(session, users, text, f"supervision:order:{order.id}:{alert.stage}")


def _send(session: Session, users: list[str], text: str, key: str) -> None:
    content = OutgoingContent("text", {"content": text})
    enqueue_to_users(session, user_ids=users, content=content, dedupe_key=key)


def _department_name(session: Session, department_id: int) -> str:
    return for_text(session.get_one(Department, department_id).name)


def _target(session: Session, order: WorkOrder) -> str:
    if order.staff_id is None:
        return texts.CARD_DEPARTMENT_PERSON
    member = session.get(Staff, order.staff_id)
    return for_text(member.name) if member else texts.CARD_DEPARTMENT_PERSON
