"""Processed-callback keys: each WeCom callback is handled once and answered the same way."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert
from sqlmodel import Session, delete, select

from backend.models import ProcessedMessage, utcnow

KEEP_PROCESSED_KEYS = timedelta(days=7)

# Built once: these run on every callback, and building a statement costs more than running it.
_STORED_REPLY = select(ProcessedMessage.reply_xml).where(ProcessedMessage.key == bindparam("key"))
_RECORD = insert(ProcessedMessage)


def stored_reply(session: Session, *, key: str) -> str | None:
    """Return the passive reply given to an already processed callback, or None if new."""
    return session.connection().execute(_STORED_REPLY, {"key": key}).scalar()


def record_processed(session: Session, *, key: str, reply_xml: str) -> None:
    """Remember that this callback was handled and what it was answered."""
    values = {"key": key, "reply_xml": reply_xml, "created_at": utcnow()}
    session.connection().execute(_RECORD, values)


def purge_processed(session: Session, *, now: datetime | None = None) -> int:
    """Forget processed keys older than the retention window; return how many."""
    cutoff = (now or utcnow()) - KEEP_PROCESSED_KEYS
    result = session.exec(delete(ProcessedMessage).where(ProcessedMessage.created_at < cutoff))
    return result.rowcount or 0
