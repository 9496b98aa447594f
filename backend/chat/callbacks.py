"""Processed-callback keys: each WeCom callback is handled once and answered the same way."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, text
from sqlmodel import Session, col, delete, select

from backend.models import ProcessedMessage, utcnow

KEEP_PROCESSED_KEYS = timedelta(days=7)

# SQLModel sets `__table__` on every table model but does not declare it in its types.
_TABLE: Table = ProcessedMessage.__table__  # type: ignore[attr-defined]
# Built once: these run on every callback, and building a statement costs more than running it.
_STORED_REPLY = select(ProcessedMessage.reply_xml).where(ProcessedMessage.key == bindparam("key"))
# Plain SQL that SQLite and PostgreSQL both speak: the dialects' own INSERT constructs are not
# cacheable, so SQLAlchemy would compile that statement again for every callback.
_CLAIM = text(
    'INSERT INTO processedmessage ("key", reply_xml, created_at) '
    'VALUES (:key, :reply_xml, :created_at) ON CONFLICT DO NOTHING RETURNING "key"'
).bindparams(bindparam("created_at", type_=_TABLE.c.created_at.type))


def stored_reply(session: Session, *, key: str) -> str | None:
    """Return the passive reply given to an already processed callback, or None if new."""
    return session.connection().execute(_STORED_REPLY, {"key": key}).scalar()


def claim(session: Session, *, key: str, reply_xml: str) -> bool:
    """Record the callback as handled, with its reply; False when it already was (a repeat).

    A repeat arriving while the first delivery is still being handled waits here for that
    transaction to end (SQLite's write lock, PostgreSQL's unique index), then finds the key.
    """
    values = {"key": key, "reply_xml": reply_xml, "created_at": utcnow()}
    return session.connection().execute(_CLAIM, values).first() is not None


def purge_processed(session: Session, *, now: datetime | None = None) -> int:
    """Forget processed keys older than the retention window; return how many."""
    cutoff = (now or utcnow()) - KEEP_PROCESSED_KEYS
    result = session.exec(delete(ProcessedMessage).where(col(ProcessedMessage.created_at) < cutoff))
    return result.rowcount or 0
