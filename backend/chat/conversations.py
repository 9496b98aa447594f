"""Conversation state: the half-filled form of each WeCom user, stored answer by answer.

A message is answered with the member's form loaded once into a `FormSlot`; the form engine
changes the slot in memory and `store()` writes it, guarded by the values it was loaded with,
so a slot answered from a read snapshot cannot overwrite a form that moved on meanwhile.
Plain Core statements on a small dataclass: this runs on every callback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlmodel import Session, col

from backend.models import Conversation, Staff

# SQLModel sets `__table__` on every table model but does not declare it in its types.
_TABLE: Table = Conversation.__table__  # type: ignore[attr-defined]
_COLUMNS = _TABLE.c
_BY_USER = select(_TABLE).where(_COLUMNS.wecom_userid == bindparam("userid"))
_INSERT = insert(_TABLE)
_GUARD = (
    (_COLUMNS.wecom_userid == bindparam("userid"))
    & (_COLUMNS.form == bindparam("was_form"))
    & (_COLUMNS.step == bindparam("was_step"))
    & (_COLUMNS.answers == bindparam("was_answers"))
    & (_COLUMNS.history == bindparam("was_history"))
    & (_COLUMNS.paused == bindparam("was_paused"))
)
_GUARDED_UPDATE = update(_TABLE).where(_GUARD)
_GUARDED_DELETE = delete(_TABLE).where(_GUARD)
# The active member and their form, in one query on every callback.
_ACTIVE = (col(Staff.wecom_userid) == bindparam("userid"), col(Staff.active))
_MEMBER = (
    select(Staff, *(column.label(f"form_{column.name}") for column in _COLUMNS))
    .outerjoin(_TABLE, _COLUMNS.wecom_userid == Staff.wecom_userid)
    .where(*_ACTIVE)
)
# PostgreSQL locks the member's row, not the form's: a new form has no row to lock yet, and
# this orders all of one member's messages. NO KEY UPDATE still lets other transactions insert
# rows that refer to the member (their foreign keys take KEY SHARE).
_MEMBER_LOCKED = select(Staff).where(*_ACTIVE).with_for_update(key_share=True)


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


@dataclass
class FormSlot:
    """One member's form while a message is answered: as loaded, and as it is to be stored."""

    wecom_userid: str
    loaded: FormState | None
    state: FormState | None

    @property
    def changed(self) -> bool:
        """Tell whether answering the message moved the form."""
        if self.loaded is None or self.state is None:
            return self.loaded is not self.state
        return self.loaded.values() != self.state.values()


def load(session: Session, *, wecom_userid: str) -> FormSlot:
    """Read a user's form by userid alone (callbacks use `load_member`)."""
    row = session.connection().execute(_BY_USER, {"userid": wecom_userid}).mappings().first()
    loaded = FormState(**row) if row else None
    return FormSlot(wecom_userid, loaded, replace(loaded) if loaded else None)


def load_member(
    session: Session, *, wecom_userid: str, lock: bool = False
) -> tuple[Staff | None, FormSlot]:
    """Read the active member with this userid and their form (None and no form: an outsider).

    `lock` (PostgreSQL) holds the member's row until the transaction ends, then reads the form
    in a second statement: one that waited for the lock must see the form as it now stands, and
    a joined table's row would come from the statement's older snapshot.
    """
    if lock and session.connection().dialect.name != "sqlite":
        staff = session.execute(_MEMBER_LOCKED, {"userid": wecom_userid}).scalars().first()
        if staff is None:
            return None, FormSlot(wecom_userid, None, None)
        return staff, load(session, wecom_userid=wecom_userid)
    row = session.execute(_MEMBER, {"userid": wecom_userid}).first()
    if row is None:
        return None, FormSlot(wecom_userid, None, None)
    staff, *values = row
    fields = {column.name: value for column, value in zip(_COLUMNS, values, strict=True)}
    loaded = FormState(**fields) if fields["wecom_userid"] is not None else None
    return staff, FormSlot(wecom_userid, loaded, replace(loaded) if loaded else None)


def store(session: Session, slot: FormSlot) -> bool:
    """Write the slot's form if it moved; False (nothing written) when the row changed since."""
    if not slot.changed:
        return True
    connection = session.connection()
    loaded, state = slot.loaded, slot.state
    if loaded is None:
        assert state is not None  # `changed` is False when neither has a form
        if connection.execute(_BY_USER, {"userid": slot.wecom_userid}).first() is not None:
            return False
        connection.execute(_INSERT, {"wecom_userid": slot.wecom_userid, **state.values()})
        return True
    params = {"userid": slot.wecom_userid, **loaded.guard()}
    if state is None:
        return connection.execute(_GUARDED_DELETE, params).rowcount == 1
    return connection.execute(_GUARDED_UPDATE, {**params, **state.values()}).rowcount == 1


def begin(slot: FormSlot, *, form: str, answers: dict, now: datetime) -> FormState:
    """Start (or restart) a form in the slot with some answers already known."""
    state = slot.state or FormState(slot.wecom_userid, form)
    state.form, state.step, state.paused = form, "", False
    state.answers, state.history = json.dumps(answers, ensure_ascii=False), "[]"
    state.updated_at = now.astimezone(UTC)
    slot.state = state
    return state


def answers_of(state: FormState) -> dict:
    """Return the stored answers."""
    return json.loads(state.answers or "{}")


def history_of(state: FormState) -> list[str]:
    """Return the keys of the steps answered so far, oldest first."""
    return json.loads(state.history or "[]")


def save(state: FormState, *, step: str, answers: dict, history: list[str], now: datetime) -> None:
    """Record where the form stands now."""
    state.step, state.paused, state.updated_at = step, False, now.astimezone(UTC)
    state.answers = json.dumps(answers, ensure_ascii=False)
    state.history = json.dumps(history, ensure_ascii=False)


def pause(state: FormState) -> None:
    """Keep the form but stop treating the user's messages as its answers."""
    state.paused = True


def finish(slot: FormSlot) -> None:
    """Forget the slot's form (done or cancelled)."""
    slot.state = None


def is_idle(state: FormState, *, now: datetime, idle: timedelta) -> bool:
    """Return True when the form has waited longer than `idle` for an answer."""
    updated = state.updated_at
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    return now - updated > idle
