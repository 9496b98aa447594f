"""Notices (通知) from the console to staff of chosen departments or to their group chats."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from backend.models import (
    Department,
    Notice,
    NoticeGroupPost,
    NoticeRecipient,
    OutboxMessage,
    OutboxStatus,
    Staff,
    saved_id,
)
from backend.outbox.rules import group_route, rows_by_member
from backend.outbox.service import OutgoingContent, enqueue_group_post, enqueue_to_users
from bot.neutral import for_markdown, for_markdown_line, for_text

MAX_TITLE = 60
MAX_BODY = 500
READ_STEP = "notice_read"


class NoticeError(ValueError):
    """A notice the service refuses; the message (Chinese) says why."""


@dataclass(frozen=True)
class NoticeStatus:
    """Delivery and read figures of one notice."""

    recipients: int
    delivered: int
    failed: int
    waiting: int
    read: int
    groups: int
    groups_posted: int


def send_notice(
    session: Session,
    *,
    title: str,
    body: str,
    department_ids: list[int],
    to_staff: bool,
    to_groups: bool,
    sender: str,
) -> Notice:
    """Store a notice and queue it: one app message per 1,000 members, one post per group."""
    title, body = title.strip(), body.strip()
    _check(title, body, department_ids, to_staff, to_groups)
    notice = Notice(
        title=title,
        body=body,
        sender=sender,
        department_ids=",".join(str(d) for d in sorted(set(department_ids))),
        to_staff=to_staff,
        to_groups=to_groups,
    )
    session.add(notice)
    session.flush()
    if to_staff:
        _queue_staff(session, notice, department_ids)
    if to_groups:
        _queue_groups(session, notice, department_ids)
    return notice


def _check(title: str, body: str, department_ids, to_staff: bool, to_groups: bool) -> None:
    if not 1 <= len(title) <= MAX_TITLE:
        raise NoticeError(f"标题须为1–{MAX_TITLE}字")
    if not 1 <= len(body) <= MAX_BODY:
        raise NoticeError(f"正文须为1–{MAX_BODY}字")
    if not department_ids:
        raise NoticeError("请至少选择一个部门")
    if not (to_staff or to_groups):
        raise NoticeError("请选择发给部门人员、部门群，或两者")


def notice_card(notice: Notice) -> OutgoingContent:
    """Render the card members get, with an 已阅 button that records the read."""
    card = {
        "card_type": "button_interaction",
        "main_title": {"title": for_text(notice.title), "desc": "通知"},
        "sub_title_text": for_text(notice.body),
        "task_id": f"notice_{notice.id}",
        "button_list": [{"text": "已阅", "style": 1, "key": f"{READ_STEP}|{notice.id}"}],
    }
    return OutgoingContent("template_card", card)


def _queue_staff(session: Session, notice: Notice, department_ids: list[int]) -> None:
    members = session.exec(
        select(Staff.id, Staff.wecom_userid)
        .where(Staff.active, col(Staff.department_id).in_(department_ids))
        .order_by(col(Staff.id))
    ).all()
    if not members:
        raise NoticeError("所选部门没有在职人员")
    rows = enqueue_to_users(
        session,
        user_ids=[userid for _, userid in members],
        content=notice_card(notice),
        dedupe_key=f"notice:{notice.id}",
    )
    by_member = rows_by_member(rows)
    session.add_all(
        NoticeRecipient(
            notice_id=saved_id(notice),
            staff_id=staff_id,
            wecom_userid=userid,
            outbox_id=by_member[userid].id,
        )
        for staff_id, userid in members
    )
    session.flush()


def _queue_groups(session: Session, notice: Notice, department_ids: list[int]) -> None:
    departments = session.exec(
        select(Department).where(
            col(Department.id).in_(department_ids), col(Department.chat_target).is_not(None)
        )
    ).all()
    if not departments and not notice.to_staff:
        raise NoticeError("所选部门都还没有配置部门群")
    text = f"**通知：{for_markdown_line(notice.title)}**\n{for_markdown(notice.body)}"
    for department in departments:
        route = group_route(department)
        assert route is not None  # chosen for having one
        row = enqueue_group_post(
            session,
            route=route,
            content=OutgoingContent("markdown", {"content": text}),
            dedupe_key=f"notice:{notice.id}:dept-{department.id}",
        )
        session.add(
            NoticeGroupPost(
                notice_id=saved_id(notice), department_id=saved_id(department), outbox_id=row.id
            )
        )
    session.flush()


def mark_read(
    session: Session, *, notice_id: int, wecom_userid: str, now: datetime
) -> Notice | None:
    """Record that a member read the notice (first time only); None if there is no such notice."""
    recipient = session.exec(
        select(NoticeRecipient).where(
            NoticeRecipient.notice_id == notice_id, NoticeRecipient.wecom_userid == wecom_userid
        )
    ).first()
    if recipient is None:
        return None
    if recipient.read_at is None:
        recipient.read_at = now
        session.add(recipient)
        session.flush()
    return session.get(Notice, notice_id)


def list_notices(session: Session, *, limit: int = 50) -> list[Notice]:
    """Return the latest notices, newest first."""
    return list(session.exec(select(Notice).order_by(col(Notice.id).desc()).limit(limit)))


def recipient_states(
    session: Session, *, notice_id: int
) -> list[tuple[str, str, str, datetime | None]]:
    """Return (name, userid, state, read_at) per member; state 已送达/未送达/发送中."""
    # Five columns: more than SQLModel's `select` has typed overloads for.
    rows = session.execute(
        select_columns(
            col(Staff.name),
            col(NoticeRecipient.wecom_userid),
            col(OutboxMessage.status),
            col(OutboxMessage.result),
            col(NoticeRecipient.read_at),
        )
        .join(Staff, col(Staff.id) == NoticeRecipient.staff_id)
        .join(OutboxMessage, col(OutboxMessage.id) == NoticeRecipient.outbox_id)
        .where(col(NoticeRecipient.notice_id) == notice_id)
        .order_by(col(NoticeRecipient.id))
    ).all()
    return [
        (name, userid, _state(userid, status, result), read)
        for name, userid, status, result, read in rows
    ]


def _state(userid: str, status: str, result: str | None) -> str:
    if status == OutboxStatus.FAILED:
        return "未送达"
    if status != OutboxStatus.SENT:
        return "发送中"
    invalid = (json.loads(result or "{}").get("invaliduser") or "").split("|")
    return "未送达" if userid in invalid else "已送达"


def notice_status(session: Session, *, notice_id: int) -> NoticeStatus:
    """Count delivered, failed, waiting and read recipients, and posted groups."""
    states = [state for _, _, state, _ in recipient_states(session, notice_id=notice_id)]
    read = session.exec(
        select(func.count()).where(
            NoticeRecipient.notice_id == notice_id, col(NoticeRecipient.read_at).is_not(None)
        )
    ).one()
    posts = session.exec(
        select(OutboxMessage.status)
        .join(NoticeGroupPost, col(NoticeGroupPost.outbox_id) == OutboxMessage.id)
        .where(NoticeGroupPost.notice_id == notice_id)
    ).all()
    return NoticeStatus(
        recipients=len(states),
        delivered=states.count("已送达"),
        failed=states.count("未送达"),
        waiting=states.count("发送中"),
        read=int(read),
        groups=len(posts),
        groups_posted=sum(1 for s in posts if s == OutboxStatus.SENT),
    )
