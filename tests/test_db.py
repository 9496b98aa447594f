"""Read phases: reading without the write lock, and any write inside one refused."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session

from backend.db import WriteAttempted, make_engine, read_phase, read_scope, session_scope
from backend.migrate import upgrade_database
from backend.models import Conversation, TaskType
from backend.services import conversations

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_read_scope_reads(engine):
    with session_scope(engine) as session:
        session.add(TaskType(code="business", name="业务"))
    with read_scope(engine) as session:
        assert session.get(TaskType, "business").name == "业务"


def test_a_core_write_in_a_read_scope_is_refused(engine):
    with pytest.raises(WriteAttempted), read_scope(engine) as session:
        session.connection().execute(text("DELETE FROM tasktype"))


def test_an_orm_write_in_a_read_scope_is_refused_and_nothing_is_stored(engine):
    with pytest.raises(WriteAttempted), read_scope(engine) as session:
        session.add(TaskType(code="party", name="党建"))
        session.flush()
    with pytest.raises(WriteAttempted), read_scope(engine) as session:
        session.add(TaskType(code="party", name="党建"))  # never flushed: caught on the way out
    with Session(engine) as session:
        assert session.get(TaskType, "party") is None


def test_a_session_writes_again_after_its_read_phase(engine):
    with session_scope(engine) as session:
        with read_phase(session):
            assert session.get(TaskType, "party") is None
        session.add(TaskType(code="party", name="党建"))
    with Session(engine) as session:
        assert session.get(TaskType, "party") is not None


def test_on_sqlite_a_read_scope_runs_while_a_writer_holds_the_lock(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    upgrade_database(engine)
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with session_scope(engine) as session:
            session.add(TaskType(code="party", name="党建"))
            session.flush()
            writing.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(10)
    with read_scope(engine) as session:  # would wait on the write gate if it took it
        assert session.get(TaskType, "party") is None  # the writer has not committed yet
    done.set()
    thread.join()
    engine.dispose()


def test_a_buffered_form_write_is_refused_when_the_row_changed_meanwhile(engine):
    with session_scope(engine) as session:
        conversations.begin(session, wecom_userid="alice", form="duty_entry", answers={}, now=NOW)
    with Session(engine) as reader:
        conversations.buffer_writes(reader)
        state = conversations.current(reader, wecom_userid="alice")
        conversations.save(reader, row=state, step="hours", answers={"a": 1}, history=[], now=NOW)
        writes = conversations.buffered_writes(reader)
    with session_scope(engine) as session:  # another message moved the form on in between
        other = conversations.current(session, wecom_userid="alice")
        conversations.save(session, row=other, step="duty", answers={"b": 2}, history=[], now=NOW)
    with pytest.raises(conversations.ConversationChanged), session_scope(engine) as session:
        conversations.apply_writes(session, writes)
    with Session(engine) as session:
        assert session.get(Conversation, "alice").step == "duty"


def test_a_buffered_form_write_lands_when_nothing_changed(engine):
    with Session(engine) as reader:
        conversations.buffer_writes(reader)
        assert conversations.current(reader, wecom_userid="bob") is None
        conversations.begin(reader, wecom_userid="bob", form="duty_entry", answers={}, now=NOW)
        writes = conversations.buffered_writes(reader)
    with Session(engine) as session:
        assert session.get(Conversation, "bob") is None  # buffered, not written
    with session_scope(engine) as session:
        conversations.apply_writes(session, writes)
    with Session(engine) as session:
        assert session.get(Conversation, "bob").form == "duty_entry"
