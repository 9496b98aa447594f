"""Outbox retention: sent and failed rows are deleted once past their keep time, in batches.

A row a notice still points at (its delivery state is shown) keeps its row but loses its blob
and body, so the notice's page still says 已送达 or 未送达.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, or_, update
from sqlmodel import Session, col, select

from backend.models import NoticeGroupPost, NoticeRecipient, OutboxMessage, OutboxStatus
from backend.outbox.service import clock_sql

PURGE_BATCH = 500  # rows per purge transaction: a few ms of the write lock each


def purge_batch(
    session: Session,
    *,
    keep_sent: timedelta,
    keep_failed: timedelta,
    now: datetime | None = None,
    limit: int = PURGE_BATCH,
) -> int:
    """Delete up to `limit` sent or failed rows past their retention; return how many went.

    A row a notice still points at (its delivery state is shown) keeps its row but loses its
    blob and body, so the notice's page still says 已送达 or 未送达.
    """
    ids = list(
        session.exec(
            select(OutboxMessage.id)
            .where(_expired(keep_sent, keep_failed, now))
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
    )
    if not ids:
        return 0
    chosen = col(OutboxMessage.id).in_(ids)
    session.execute(
        update(OutboxMessage).where(chosen, _referenced()).values(blob=None, payload="{}")
    )
    session.execute(delete(OutboxMessage).where(chosen, ~_referenced()))
    return len(ids)


def _expired(
    keep_sent: timedelta, keep_failed: timedelta, now: datetime | None
) -> ColumnElement[bool]:
    sent = (col(OutboxMessage.status) == OutboxStatus.SENT) & (
        col(OutboxMessage.sent_at) < clock_sql(now, -keep_sent)
    )
    failed = (col(OutboxMessage.status) == OutboxStatus.FAILED) & (
        col(OutboxMessage.created_at) < clock_sql(now, -keep_failed)
    )
    # A referenced row already purged (no blob, empty body) is not chosen again.
    spent = (
        ~_referenced() | col(OutboxMessage.blob).is_not(None) | (col(OutboxMessage.payload) != "{}")
    )
    return or_(sent, failed) & spent


def _referenced() -> ColumnElement[bool]:
    """Return SQL telling whether a notice points at the outbox row."""
    by_member = exists().where(col(NoticeRecipient.outbox_id) == col(OutboxMessage.id))
    by_group = exists().where(col(NoticeGroupPost.outbox_id) == col(OutboxMessage.id))
    return by_member | by_group
