"""Handle one decrypted WeCom callback exactly once: dedupe, dispatch, passive reply, outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.db import session_scope
from backend.delivery import content_from_reply
from backend.services import callbacks, outbox
from bot.messages import Inbound
from bot.replies import Reply, TextReply, can_reply_passively, render_passive

log = logging.getLogger(__name__)

Dispatch = Callable[..., list[Reply]]
SORRY = "系统繁忙，刚才的消息没有处理成功，请稍后再发一次。"


def process_message(
    engine: Engine, message: Inbound, dispatch: Dispatch, *, corp_id: str, now: datetime
) -> str:
    """Return the plaintext passive reply XML for a callback ("" for none), handling it once."""
    try:
        return _handle_new(engine, message, dispatch, corp_id=corp_id, now=now)
    except IntegrityError:
        # A duplicate delivery raced us and committed first: give the answer it stored.
        with Session(engine) as session:
            stored = callbacks.stored_reply(session, key=message.dedupe_key)
        if stored is None:
            raise
        return stored


def _handle_new(
    engine: Engine, message: Inbound, dispatch: Dispatch, *, corp_id: str, now: datetime
) -> str:
    with session_scope(engine) as session:
        stored = callbacks.stored_reply(session, key=message.dedupe_key)
        if stored is not None:
            return stored
        replies = dispatch(session, message, now=now)
        reply_xml = _queue_and_render(session, message, replies, corp_id, now)
        callbacks.record_processed(session, key=message.dedupe_key, reply_xml=reply_xml)
        return reply_xml


def _queue_and_render(
    session: Session, message: Inbound, replies: list[Reply], corp_id: str, now: datetime
) -> str:
    # Only the first reply may go back passively, so that messages keep their order.
    passive = replies[0] if replies and can_reply_passively(replies[0]) else None
    for reply in replies:
        if reply is not passive:
            content = content_from_reply(reply)
            outbox.enqueue_to_users(session, user_ids=[message.user_id], content=content)
    if passive is None:
        return ""
    return render_passive(
        passive,
        to_user=message.user_id,
        corp_id=corp_id,
        agent_id=message.agent_id,
        create_time=int(now.timestamp()),
    )


def apology_xml(message: Inbound, *, corp_id: str, now: datetime) -> str:
    """Render the reply for a callback whose handling failed (not recorded, so a retry works)."""
    return render_passive(
        TextReply(SORRY),
        to_user=message.user_id,
        corp_id=corp_id,
        agent_id=message.agent_id,
        create_time=int(now.timestamp()),
    )
