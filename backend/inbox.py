"""Handle one decrypted WeCom callback exactly once: dedupe, dispatch, passive reply, outbox.

On SQLite, whose write lock covers the whole database, most messages (which only read the
organisation and move a form along) are answered in two short steps: dispatch on a read snapshot
(no write lock, so workers answer side by side), then one brief write transaction that stores the
form state, the queued replies and the processed key. A message whose handling writes anything
else (an entry saved, a review decision) runs again in a single write transaction, as does one
whose conversation changed in between. PostgreSQL locks rows, so there every message is handled
in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.db import WriteAttempted, read_phase, session_scope
from backend.delivery import content_from_reply
from backend.services import callbacks, conversations, outbox
from backend.services.outbox import OutgoingContent
from bot.messages import Inbound
from bot.replies import Reply, TextReply, can_reply_passively, render_passive

log = logging.getLogger(__name__)

Dispatch = Callable[..., list[Reply]]
SORRY = "系统繁忙，刚才的消息没有处理成功，请稍后再发一次。"


@dataclass(frozen=True)
class Answer:
    """What a callback gets: the passive reply XML and the replies queued after it."""

    reply_xml: str
    queued: list[OutgoingContent]


def process_message(
    engine: Engine, message: Inbound, dispatch: Dispatch, *, corp_id: str, now: datetime
) -> str:
    """Return the plaintext passive reply XML for a callback ("" for none), handling it once."""
    try:
        return _handle(engine, message, dispatch, corp_id=corp_id, now=now)
    except Exception:
        # A repeat of a handled callback fails on the processed key at the end, which rolls
        # back whatever its second handling did: answer it the way the first one was answered.
        with Session(engine) as session:
            stored = callbacks.stored_reply(session, key=message.dedupe_key)
        if stored is None:
            raise
        return stored


def _handle(
    engine: Engine, message: Inbound, dispatch: Dispatch, *, corp_id: str, now: datetime
) -> str:
    if engine.dialect.name != "sqlite":
        # PostgreSQL locks rows, not the database: one transaction already runs side by side.
        return _in_one_transaction(engine, message, dispatch, corp_id=corp_id, now=now)
    try:
        return _read_then_write(engine, message, dispatch, corp_id=corp_id, now=now)
    except (WriteAttempted, conversations.ConversationChanged, IntegrityError):
        return _in_one_transaction(engine, message, dispatch, corp_id=corp_id, now=now)


def _read_then_write(
    engine: Engine, message: Inbound, dispatch: Dispatch, *, corp_id: str, now: datetime
) -> str:
    with session_scope(engine) as session:
        with read_phase(session):
            conversations.buffer_writes(session)
            answer = _answer(dispatch(session, message, now=now), message, corp_id, now)
            writes = conversations.buffered_writes(session)
        # The key first: a repeat racing us stops here, before anything else is written.
        callbacks.record_processed(session, key=message.dedupe_key, reply_xml=answer.reply_xml)
        conversations.apply_writes(session, writes)
        _queue(session, message, answer)
    return answer.reply_xml


def _in_one_transaction(
    engine: Engine, message: Inbound, dispatch: Dispatch, *, corp_id: str, now: datetime
) -> str:
    # No look-up of the key first: repeats are rare, and the unique key catches them at the
    # end of this same transaction, which rolls back whatever the repeat did.
    with session_scope(engine) as session:
        answer = _answer(dispatch(session, message, now=now), message, corp_id, now)
        _queue(session, message, answer)
        callbacks.record_processed(session, key=message.dedupe_key, reply_xml=answer.reply_xml)
        return answer.reply_xml


def _answer(replies: list[Reply], message: Inbound, corp_id: str, now: datetime) -> Answer:
    # Only the first reply may go back passively, so that messages keep their order.
    passive = replies[0] if replies and can_reply_passively(replies[0]) else None
    queued = [content_from_reply(reply) for reply in replies if reply is not passive]
    if passive is None:
        return Answer("", queued)
    reply_xml = render_passive(
        passive,
        to_user=message.user_id,
        corp_id=corp_id,
        agent_id=message.agent_id,
        create_time=int(now.timestamp()),
    )
    return Answer(reply_xml, queued)


def _queue(session: Session, message: Inbound, answer: Answer) -> None:
    for content in answer.queued:
        outbox.queue_reply(session, user_id=message.user_id, content=content)


def apology_xml(message: Inbound, *, corp_id: str, now: datetime) -> str:
    """Render the reply for a callback whose handling failed (not recorded, so a retry works)."""
    return render_passive(
        TextReply(SORRY),
        to_user=message.user_id,
        corp_id=corp_id,
        agent_id=message.agent_id,
        create_time=int(now.timestamp()),
    )
