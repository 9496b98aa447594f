"""Conversation state: the half-filled form of each WeCom user, stored answer by answer.

Plain Core statements on a small dataclass: this runs on every callback, inside the write lock,
and the ORM's unit of work would cost more than the statements themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session

from backend.models import Conversation

_KNOWN = "lvzhi.conversations"  # session.info: (transaction, {userid: state or None})
_BUFFER = "lvzhi.conversation_writes"  # session.info: {userid: (as loaded, final state or None)}
_COLUMNS = Conversation.__table__.c
_BY_USER = select(Conversation.__table__).where(_COLUMNS.wecom_userid == bindparam("userid"))
_BY_USER_LOCKED = _BY_USER.with_for_update()
_INSERT = insert(Conversation.__table__)
_UPDATE = update(Conversation.__table__).where(_COLUMNS.wecom_userid == bindparam("userid"))
_DELETE = delete(Conversation.__table__).where(_COLUMNS.wecom_userid == bindparam("userid"))
_GUARD = (
    (_COLUMNS.form == bindparam("was_form"))
    & (_COLUMNS.step == bindparam("was_step"))
    & (_COLUMNS.answers == bindparam("was_answers"))
    & (_COLUMNS.history == bindparam("was_history"))
    & (_COLUMNS.paused == bindparam("was_paused"))
)
_GUARDED_UPDATE = _UPDATE.where(_GUARD)
_GUARDED_DELETE = _DELETE.where(_GUARD)


class ConversationChanged(RuntimeError):
    """The conversation changed since it was read; handle the message again."""


@dataclass
class FormState:
    """Where one user's form stands: which form, which step, the answers so far."""

    wecom_userid: str
    form: str
    step: str = ""
    answers: str = "{}"
    history: str = "[]"
    paused: bool = False
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stored: bool = False

    def guard(self) -> dict:
        """Return the values the stored row must still have for a guarded write."""
        return {
            "was_form": self.form,
            "was_step": self.step,
            "was_answers": self.answers,
            "was_history": self.history,
            "was_paused": self.paused,
        }

    def values(self) -> dict:
        """Return the column values to write."""
        return {
            "form": self.form,
            "step": self.step,
            "answers": self.answers,
            "history": self.history,
            "paused": self.paused,
            "updated_at": self.updated_at,
        }


def _known(session: Session) -> dict[str, FormState | None]:
    """Return this transaction's cache of looked-up rows (a new transaction starts empty)."""
    transaction = session.get_transaction()
    cached = session.info.get(_KNOWN)
    if cached is None or cached[0] is not transaction:
        cached = session.info[_KNOWN] = (transaction, {})
    return cached[1]


def current(session: Session, *, wecom_userid: str) -> FormState | None:
    """Return the user's form state (its row locked for update where the database can)."""
    known = _known(session)
    if wecom_userid not in known:
        known[wecom_userid] = _load(session, wecom_userid)
        buffer = session.info.get(_BUFFER)
        if buffer is not None and wecom_userid not in buffer:
            loaded = known[wecom_userid]
            buffer[wecom_userid] = (replace(loaded) if loaded else None, loaded)
    return known[wecom_userid]


def _load(session: Session, wecom_userid: str) -> FormState | None:
    connection = session.connection()
    # SQLite write transactions here are BEGIN IMMEDIATE, so FOR UPDATE would only add a query;
    # buffered writes are guarded instead of locked.
    plain = connection.dialect.name == "sqlite" or _BUFFER in session.info
    statement = _BY_USER if plain else _BY_USER_LOCKED
    row = connection.execute(statement, {"userid": wecom_userid}).mappings().first()
    return FormState(**row, stored=True) if row else None


def buffer_writes(session: Session) -> None:
    """Keep this session's conversation writes in memory, for apply_writes() later."""
    session.info[_BUFFER] = {}


def buffered_writes(session: Session) -> dict[str, tuple[FormState | None, FormState | None]]:
    """Stop buffering; return the conversations changed meanwhile: (as loaded, final)."""
    buffer = session.info.pop(_BUFFER, {})
    return {user: pair for user, pair in buffer.items() if _changed(*pair)}


def apply_writes(session: Session, writes: dict) -> None:
    """Write buffered changes, each only if its row is still as it was read."""
    connection = session.connection()
    for userid, (loaded, final) in writes.items():
        if loaded is None:
            if connection.execute(_BY_USER, {"userid": userid}).first() is not None:
                raise ConversationChanged(userid)
            connection.execute(_INSERT, {"wecom_userid": userid, **final.values()})
            continue
        params = {"userid": userid, **loaded.guard()}
        if final is None:
            result = connection.execute(_GUARDED_DELETE, params)
        else:
            result = connection.execute(_GUARDED_UPDATE, {**params, **final.values()})
        if result.rowcount != 1:
            raise ConversationChanged(userid)


def _changed(loaded: FormState | None, final: FormState | None) -> bool:
    if loaded is None or final is None:
        return loaded is not final
    return loaded.values() != final.values()


def begin(
    session: Session, *, wecom_userid: str, form: str, answers: dict, now: datetime
) -> FormState:
    """Start (or restart) a form for the user with some answers already known."""
    state = current(session, wecom_userid=wecom_userid) or FormState(wecom_userid, form)
    state.form, state.step, state.paused = form, "", False
    state.answers, state.history = json.dumps(answers, ensure_ascii=False), "[]"
    state.updated_at = now.astimezone(UTC)
    _write(session, state)
    _known(session)[wecom_userid] = state
    return state


def answers_of(state: FormState) -> dict:
    """Return the stored answers."""
    return json.loads(state.answers or "{}")


def history_of(state: FormState) -> list[str]:
    """Return the keys of the steps answered so far, oldest first."""
    return json.loads(state.history or "[]")


def save(
    session: Session,
    *,
    row: FormState,
    step: str,
    answers: dict,
    history: list[str],
    now: datetime,
) -> None:
    """Store where the form stands now."""
    row.step, row.paused, row.updated_at = step, False, now.astimezone(UTC)
    row.answers = json.dumps(answers, ensure_ascii=False)
    row.history = json.dumps(history, ensure_ascii=False)
    _write(session, row)


def pause(session: Session, *, row: FormState) -> None:
    """Keep the form but stop treating the user's messages as its answers."""
    row.paused = True
    _write(session, row)


def finish(session: Session, *, row: FormState) -> None:
    """Forget the form (done or cancelled)."""
    buffer = session.info.get(_BUFFER)
    if buffer is not None:
        buffer[row.wecom_userid] = (buffer[row.wecom_userid][0], None)
    elif row.stored:
        session.connection().execute(_DELETE, {"userid": row.wecom_userid})
    row.stored = False
    _known(session)[row.wecom_userid] = None


def is_idle(row: FormState, *, now: datetime, idle: timedelta) -> bool:
    """Return True when the form has waited longer than `idle` for an answer."""
    updated = row.updated_at
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    return now - updated > idle


def _write(session: Session, state: FormState) -> None:
    buffer = session.info.get(_BUFFER)
    if buffer is not None:
        buffer[state.wecom_userid] = (buffer[state.wecom_userid][0], state)
        return
    connection = session.connection()
    if state.stored:
        connection.execute(_UPDATE, {"userid": state.wecom_userid, **state.values()})
    else:
        connection.execute(_INSERT, {"wecom_userid": state.wecom_userid, **state.values()})
        state.stored = True
