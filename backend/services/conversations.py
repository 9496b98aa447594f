"""Conversation state: the half-filled form of each WeCom user, stored answer by answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from backend.models import Conversation

_KNOWN = "lvzhi.conversations"  # session.info: (transaction, {userid: row or None})


def _known(session: Session) -> dict[str, Conversation | None]:
    """Return this transaction's cache of looked-up rows (a new transaction starts empty)."""
    transaction = session.get_transaction()
    cached = session.info.get(_KNOWN)
    if cached is None or cached[0] is not transaction:
        cached = session.info[_KNOWN] = (transaction, {})
    return cached[1]


def current(session: Session, *, wecom_userid: str) -> Conversation | None:
    """Return the user's conversation row (locked for update where the database can)."""
    known = _known(session)
    if wecom_userid not in known:
        # SQLite transactions here are BEGIN IMMEDIATE, so FOR UPDATE would only add a query.
        lock = session.get_bind().dialect.name != "sqlite"
        known[wecom_userid] = session.get(Conversation, wecom_userid, with_for_update=lock)
    return known[wecom_userid]


def begin(
    session: Session, *, wecom_userid: str, form: str, answers: dict, now: datetime
) -> Conversation:
    """Start (or restart) a form for the user with some answers already known."""
    row = current(session, wecom_userid=wecom_userid) or Conversation(
        wecom_userid=wecom_userid, form=form
    )
    row.form, row.step, row.paused = form, "", False
    row.answers, row.history = json.dumps(answers, ensure_ascii=False), "[]"
    row.updated_at = now.astimezone(UTC)
    session.add(row)
    _known(session)[wecom_userid] = row
    return row


def answers_of(row: Conversation) -> dict:
    """Return the stored answers."""
    return json.loads(row.answers or "{}")


def history_of(row: Conversation) -> list[str]:
    """Return the keys of the steps answered so far, oldest first."""
    return json.loads(row.history or "[]")


def save(
    session: Session,
    *,
    row: Conversation,
    step: str,
    answers: dict,
    history: list[str],
    now: datetime,
) -> None:
    """Store where the form stands now."""
    row.step, row.paused, row.updated_at = step, False, now.astimezone(UTC)
    row.answers = json.dumps(answers, ensure_ascii=False)
    row.history = json.dumps(history, ensure_ascii=False)
    session.add(row)


def pause(session: Session, *, row: Conversation) -> None:
    """Keep the form but stop treating the user's messages as its answers."""
    row.paused = True
    session.add(row)


def finish(session: Session, *, row: Conversation) -> None:
    """Forget the form (done or cancelled)."""
    session.delete(row)
    _known(session)[row.wecom_userid] = None


def is_idle(row: Conversation, *, now: datetime, idle: timedelta) -> bool:
    """Return True when the form has waited longer than `idle` for an answer."""
    updated = row.updated_at
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    return now - updated > idle
