"""WeCom's per-member limits for app messages: 30 a minute and 1,000 an hour (wecom.md §9.2).

WeCom drops app messages beyond them without an error, so the outbox never sends past them.
Before a worker sends an app row it books, in one short write under the limiter's lock, the
recipients that may get a message now (one `OutboxMemberSend` row each, on the database's
clock); the recipients at a limit are split off into a row of their own, due when their window
frees. Every worker on every host books in the same table under the same lock, so together
they stay within the limits. Follow-up chat replies are app rows like any other; passive
replies are answers to callbacks, not app messages, and are never booked. A booking stays
when the send then fails: counting a message WeCom may have taken is safe, missing one is not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, insert, text, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from backend.db import db_now
from backend.models import NoticeRecipient, OutboxMemberSend, OutboxMessage, OutboxStatus
from backend.outbox.service import database_time

PER_MINUTE, PER_HOUR = 30, 1000
# Our booking and WeCom's count of the same message are a network trip apart: a window a
# little longer than WeCom's keeps that trip from letting a 31st message into its minute.
MARGIN = timedelta(seconds=2)
MINUTE, HOUR = timedelta(minutes=1) + MARGIN, timedelta(hours=1) + MARGIN
LOCK_KEY = 7720261204  # PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE serialises anyway


@dataclass(frozen=True)
class Recent:
    """What one member was sent lately: counts and the oldest booking in each window."""

    minute: int
    hour: int
    oldest_in_minute: datetime | None
    oldest_in_hour: datetime

    def free_at(self) -> datetime | None:
        """Return when the member may get the next message (None: now)."""
        later = []
        if self.minute >= PER_MINUTE and self.oldest_in_minute is not None:
            later.append(self.oldest_in_minute + MINUTE)
        if self.hour >= PER_HOUR:
            later.append(self.oldest_in_hour + HOUR)
        return max(later, default=None)


def book(session: Session, *, row: OutboxMessage, now: datetime | None = None) -> list[str]:
    """Book the recipients of an app row that may get it now; postpone the others.

    Returns those recipients (the row's target is narrowed to them, and recipients at a limit
    move to a new row due when the first of them is free). Returns [] when every recipient is
    at a limit: the row itself then waits, pending, without counting an attempt.
    """
    _lock(session)
    moment = now or database_time(session)
    users = list(json.loads(row.target)["users"])
    waits = _waits(recent_sends(session, users=users, now=moment))
    ready = [u for u in users if u not in waits]
    if waits and not ready:
        _postpone(session, row, min(waits.values()))
        return []
    if waits:
        _split_off(session, row, ready, list(waits), min(waits.values()))
    record_sends(session, users=ready, at=moment)
    return ready


def _waits(recent: dict[str, Recent]) -> dict[str, datetime]:
    """Return, for each member at a limit, when they may get the next message."""
    free = {userid: member.free_at() for userid, member in recent.items()}
    return {userid: at for userid, at in free.items() if at is not None}


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def recent_sends(session: Session, *, users: list[str], now: datetime) -> dict[str, Recent]:
    """Return, for each member of `users` sent anything in the last hour, what they were sent."""
    sent_at = col(OutboxMemberSend.sent_at)
    in_minute = sent_at > now - MINUTE
    # Five columns: more than SQLModel's `select` has typed overloads for.
    rows = session.execute(
        select_columns(
            col(OutboxMemberSend.wecom_userid),
            func.sum(case((in_minute, 1), else_=0)),
            func.count(),
            func.min(case((in_minute, sent_at))),
            func.min(sent_at),
        )
        .where(col(OutboxMemberSend.wecom_userid).in_(users), sent_at > now - HOUR)
        .group_by(col(OutboxMemberSend.wecom_userid))
    ).all()
    return {
        userid: Recent(int(minute), int(hour), oldest_minute, oldest_hour)
        for userid, minute, hour, oldest_minute, oldest_hour in rows
    }


def record_sends(session: Session, *, users: list[str], at: datetime) -> None:
    """Book one app message to each of `users` at `at`."""
    if users:
        session.execute(
            insert(OutboxMemberSend), [{"wecom_userid": u, "sent_at": at} for u in users]
        )


def _postpone(session: Session, row: OutboxMessage, due: datetime) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row.id)
        .values(status=OutboxStatus.PENDING, next_attempt_at=due, lease_until=None)
    )


def _split_off(
    session: Session, row: OutboxMessage, ready: list[str], waiting: list[str], due: datetime
) -> None:
    """Move the waiting recipients to a new row due at `due`; the row keeps the others."""
    later = OutboxMessage(
        channel=row.channel,
        target=json.dumps({"users": waiting}, ensure_ascii=False),
        msgtype=row.msgtype,
        payload=row.payload,
        blob=row.blob,
        filename=row.filename,
        next_attempt_at=due,
    )
    session.add(later)
    session.flush()
    row.target = json.dumps({"users": ready}, ensure_ascii=False)
    session.execute(
        update(OutboxMessage).where(col(OutboxMessage.id) == row.id).values(target=row.target)
    )
    # A notice shows each member's delivery from the row that carries their message.
    session.execute(
        update(NoticeRecipient)
        .where(
            col(NoticeRecipient.outbox_id) == row.id,
            col(NoticeRecipient.wecom_userid).in_(waiting),
        )
        .values(outbox_id=later.id)
    )


def forget_old_sends(session: Session, *, now: datetime | None = None) -> None:
    """Delete the bookings older than the hour window (they no longer count)."""
    cutoff = db_now(-HOUR.total_seconds()) if now is None else now - HOUR
    session.execute(delete(OutboxMemberSend).where(col(OutboxMemberSend.sent_at) < cutoff))
