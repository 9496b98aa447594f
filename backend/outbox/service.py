"""The outbox: every message the system sends is first a row here.

Due times and claims are on the database's clock (`db_now`), never a host's, so workers and
web processes on hosts whose clocks differ agree on what is due and who is sending it. The
`now` arguments replace that clock for tests that act as if time had passed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.common.metrics import instruments
from backend.db import db_now
from backend.models import (
    OutboxMessage,
    OutboxStatus,
    saved_ids,
    utcnow,
)
from backend.outbox.rules import (
    GroupRoute,
    OutgoingContent,
    for_members,
    group_part,
    group_target,
    member_target,
)

MAX_RECIPIENTS_PER_CALL = 1000
_INSERT = insert(OutboxMessage).values(next_attempt_at=db_now())
MAX_ATTEMPTS = 15
LEASE = timedelta(minutes=2)
CHANNELS = ("app", "appchat", "webhook", "bot")  # "bot": over the long connection
SPREAD_STEP, SPREAD_MIN_BATCH = 10, 50  # a spread round: a call every 10 s at most, 50 each


def enqueue_to_users(
    session: Session,
    *,
    user_ids: Sequence[str],
    content: OutgoingContent,
    dedupe_key: str | None = None,
    spread_seconds: int = 0,
) -> list[OutboxMessage]:
    """Queue a message for users, one row per 1,000 recipients, in their order.

    In long-connection mode a message the bot can push goes as one "bot" row per member
    (`rules.for_members`: a push names one chat). With `spread_seconds`, the recipients go in
    smaller batches due evenly over that many seconds from now (a batch every SPREAD_STEP
    seconds at most, SPREAD_MIN_BATCH members at least), so a round to many members does not
    reach WeCom in one burst.
    """
    unique_ids = list(dict.fromkeys(user_ids))
    channel, content = for_members(content)
    size = 1 if channel == "bot" else _batch_size(len(unique_ids), spread_seconds)
    batches = [unique_ids[i : i + size] for i in range(0, len(unique_ids), size)]
    rows = []
    for index, batch in enumerate(batches):
        key = None if dedupe_key is None else f"{dedupe_key}#{index}"
        delay = spread_seconds * index / len(batches)
        target = member_target(channel, batch)
        rows.append(_enqueue(session, channel, target, content, key, delay))
    return rows


def _batch_size(recipients: int, spread_seconds: int) -> int:
    """Return how many recipients one row carries: all in as few calls, or spread in batches."""
    steps = max(1, spread_seconds // SPREAD_STEP)
    wanted = max(SPREAD_MIN_BATCH, -(-recipients // steps)) if spread_seconds > 0 else recipients
    return max(1, min(MAX_RECIPIENTS_PER_CALL, wanted))


def queue_reply(session: Session, *, user_id: str, content: OutgoingContent) -> None:
    """Queue one follow-up chat reply to one user (the callback's hot path: a plain INSERT)."""
    channel, content = for_members(content)
    session.connection().execute(
        _INSERT,
        {
            "channel": channel,
            "target": json.dumps(member_target(channel, [user_id]), ensure_ascii=False),
            "msgtype": content.msgtype,
            "payload": json.dumps(content.body, ensure_ascii=False),
            "blob": content.data,
            "filename": content.filename,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "created_at": utcnow(),
        },
    )
    instruments().queued.labels(channel).inc()


def enqueue_group_post(
    session: Session, *, route: GroupRoute, content: OutgoingContent, dedupe_key: str | None = None
) -> OutboxMessage:
    """Queue one post to a department's group by its route (`rules.group_part` picks the way)."""
    part = group_part(route, content.msgtype, content.body, content.data, content.filename)
    return enqueue_to_group(
        session,
        channel=part.channel,
        target=part.target,
        content=OutgoingContent(part.msgtype, part.body, part.data, part.filename),
        dedupe_key=dedupe_key,
    )


def enqueue_to_group(
    session: Session,
    *,
    channel: str,
    target: str,
    content: OutgoingContent,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Queue a post to a group chat, by app chat id, group-robot webhook key or bot chatid."""
    if channel not in ("appchat", "webhook", "bot"):
        raise ValueError(f"unknown group channel {channel!r}")
    return _enqueue(session, channel, group_target(channel, target), content, dedupe_key)


def _enqueue(
    session: Session,
    channel: str,
    target: dict,
    content: OutgoingContent,
    key: str | None,
    delay: float = 0,
) -> OutboxMessage:
    if key is not None:
        existing = session.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == key)
        ).first()
        if existing is not None:
            return existing
    row = OutboxMessage(
        channel=channel,
        target=json.dumps(target, ensure_ascii=False),
        msgtype=content.msgtype,
        payload=json.dumps(content.body, ensure_ascii=False),
        blob=content.data,
        filename=content.filename,
        dedupe_key=key,
        next_attempt_at=_stored(db_now(delay)),
    )
    session.add(row)
    session.flush()
    instruments().queued.labels(channel).inc()
    return row


def database_time(session: Session) -> datetime:
    """Return the database's clock now (what due times and claims are compared with)."""
    return session.exec(select(db_now())).one()


def claim_due(
    session: Session, *, now: datetime | None = None, limit: int = 50, bot: bool = False
) -> list[int]:
    """Lease up to `limit` due rows (due by the database's clock) to this worker; return ids.

    The scheduler's worker claims every channel but "bot"; the long-connection process claims
    only "bot" rows (`bot=True`), which nothing else can send.
    """
    candidates = session.exec(
        select(OutboxMessage.id)
        .where(_is_due(now), _worker_channels(bot))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    ).all()
    claimed: list[int] = []
    for row_id in saved_ids(candidates):
        result = session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row_id, _is_due(now))
            .values(status=OutboxStatus.SENDING, lease_until=clock_sql(now, LEASE))
        )
        if result.rowcount == 1:
            claimed.append(row_id)
    return claimed


def has_due(session: Session, *, bot: bool = False) -> bool:
    """Tell whether a row is due for this worker (a read, so an idle poll takes no write lock)."""
    due = select(OutboxMessage.id).where(_is_due(None), _worker_channels(bot)).limit(1)
    return session.exec(due).first() is not None


def _worker_channels(bot: bool) -> ColumnElement[bool]:
    over_connection = col(OutboxMessage.channel) == "bot"
    return over_connection if bot else ~over_connection


def clock_sql(now: datetime | None, later: timedelta = timedelta(0)) -> datetime | ColumnElement:
    """Return the database's clock plus `later` as SQL, or `now + later` when a test gives one."""
    return db_now(later.total_seconds()) if now is None else now + later


def _stored(value: datetime | ColumnElement) -> datetime:
    """Type a clock value for a timestamp column: the ORM writes an SQL expression as SQL."""
    return cast(datetime, value)


def _is_due(now: datetime | None) -> ColumnElement[bool]:
    moment = clock_sql(now)
    pending = (col(OutboxMessage.status) == OutboxStatus.PENDING) & (
        col(OutboxMessage.next_attempt_at) <= moment
    )
    # A row left "sending" by a worker that died is taken up again once its lease ends.
    abandoned = (col(OutboxMessage.status) == OutboxStatus.SENDING) & (
        col(OutboxMessage.lease_until) < moment
    )
    return or_(pending, abandoned)


def mark_sent(session: Session, *, row_id: int, result: dict, now: datetime | None = None) -> None:
    """Record a successful delivery."""
    row = session.get_one(OutboxMessage, row_id)
    row.status = OutboxStatus.SENT
    row.sent_at = _stored(clock_sql(now))
    row.attempts += 1
    row.lease_until = None
    row.result = json.dumps(result, ensure_ascii=False)
    row.last_error = None


def mark_failed(
    session: Session, *, row_id: int, error: str, retryable: bool, now: datetime | None = None
) -> None:
    """Record a failed attempt and schedule the next one with exponential backoff."""
    row = session.get_one(OutboxMessage, row_id)
    row.attempts += 1
    row.last_error = error[:1000]
    row.lease_until = None
    if not retryable or row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED
        return
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = _stored(clock_sql(now, backoff_delay(row.attempts)))


def backoff_delay(attempts: int) -> timedelta:
    """Return the wait before the next attempt: 5 s doubling up to one hour, with jitter."""
    base = min(5 * 2 ** (attempts - 1), 3600)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def retry_now(session: Session, *, row_id: int) -> None:
    """Make a failed or waiting row due immediately (an administrator's retry)."""
    row = session.get(OutboxMessage, row_id)
    if row is None or row.status == OutboxStatus.SENT:
        return
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = _stored(db_now())


def is_duplicate_key_error(error: IntegrityError) -> bool:
    """Tell whether an IntegrityError came from a unique key (a concurrent duplicate)."""
    text = str(error.orig).lower()
    return "unique" in text or "duplicate" in text
