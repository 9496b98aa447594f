"""The unit of work: reading never takes the write lock and refuses writes; guarded form writes."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.chat import conversations
from backend.db import PING_AFTER_IDLE_S, make_engine, reading, writing
from backend.migrate import upgrade_database
from backend.models import Conversation, TaskType

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_reading_session_reads(engine):
    with writing(engine) as session:
        session.add(TaskType(code="business", name="业务"))
    with reading(engine) as session:
        assert session.get(TaskType, "business").name == "业务"


def test_a_core_write_in_a_reading_session_is_refused(engine):
    with pytest.raises(SQLAlchemyError), reading(engine) as session:
        session.connection().execute(text("DELETE FROM tasktype"))


def test_an_orm_write_in_a_reading_session_is_refused_and_nothing_is_stored(engine):
    with pytest.raises(SQLAlchemyError), reading(engine) as session:
        session.add(TaskType(code="party", name="党建"))
        session.flush()
    with reading(engine) as session:
        session.add(TaskType(code="party", name="党建"))  # never flushed: dropped on close
    with reading(engine) as session:
        assert session.get(TaskType, "party") is None


def test_a_connection_writes_again_after_it_was_used_for_reading(engine):
    for _ in range(3):  # the pool hands the same connection to both
        with reading(engine) as session:
            assert session.get(TaskType, "party") is None
        with writing(engine) as session:
            session.add(TaskType(code="party", name="党建"))
        with writing(engine) as session:
            session.delete(session.get(TaskType, "party"))


def test_a_failed_write_stores_nothing(engine):
    with pytest.raises(RuntimeError), writing(engine) as session:
        session.add(TaskType(code="party", name="党建"))
        session.flush()
        raise RuntimeError("boom")
    with reading(engine) as session:
        assert session.get(TaskType, "party") is None


def test_on_sqlite_reading_runs_while_a_writer_holds_the_lock(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    upgrade_database(engine)
    holding, done = threading.Event(), threading.Event()

    def writer() -> None:
        with writing(engine) as session:
            session.add(TaskType(code="party", name="党建"))
            session.flush()
            holding.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(10)
    try:
        with reading(engine) as session:
            assert session.get(TaskType, "party") is None  # the writer has not committed yet
    finally:
        done.set()
        thread.join()
    with reading(engine) as session:
        assert session.get(TaskType, "party") is not None
    engine.dispose()


def test_on_sqlite_a_second_writer_waits_for_the_first(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    upgrade_database(engine)
    holding, order = threading.Event(), []

    def first() -> None:
        with writing(engine) as session:
            session.add(TaskType(code="party", name="党建"))
            session.flush()
            holding.set()
            threading.Event().wait(0.3)
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    with writing(engine) as session:  # BEGIN IMMEDIATE: waits instead of failing half-way
        assert session.get(TaskType, "party") is not None
        order.append("second")
    thread.join()
    assert order == ["first", "second"]
    engine.dispose()


def _start_form(engine, userid: str, step: str) -> None:
    with writing(engine) as session:
        slot = conversations.load(session, wecom_userid=userid)
        state = conversations.begin(slot, form="duty_entry", answers={}, now=NOW)
        conversations.save(state, step=step, answers={}, history=[], now=NOW)
        assert conversations.store(session, slot)


def test_a_form_answered_from_a_snapshot_is_not_stored_when_it_moved_meanwhile(engine):
    _start_form(engine, "alice", "date")
    with reading(engine) as session:
        slot = conversations.load(session, wecom_userid="alice")
    conversations.save(slot.state, step="hours", answers={"a": 1}, history=[], now=NOW)
    with writing(engine) as session:  # another message moved the form on in between
        other = conversations.load(session, wecom_userid="alice")
        conversations.save(other.state, step="duty", answers={"b": 2}, history=[], now=NOW)
        assert conversations.store(session, other)
    with writing(engine) as session:
        assert not conversations.store(session, slot)
    with reading(engine) as session:
        assert session.get(Conversation, "alice").step == "duty"


def test_a_form_started_from_a_snapshot_is_not_stored_over_one_started_meanwhile(engine):
    with reading(engine) as session:
        slot = conversations.load(session, wecom_userid="bob")
    conversations.begin(slot, form="survey:1", answers={}, now=NOW)
    _start_form(engine, "bob", "date")
    with writing(engine) as session:
        assert not conversations.store(session, slot)
    with reading(engine) as session:
        assert session.get(Conversation, "bob").form == "duty_entry"


def test_a_form_answered_from_a_snapshot_is_stored_when_nothing_changed(engine):
    with reading(engine) as session:
        slot = conversations.load(session, wecom_userid="bob")
        assert slot.state is None
    conversations.begin(slot, form="duty_entry", answers={}, now=NOW)
    with reading(engine) as session:
        assert session.get(Conversation, "bob") is None  # decided, not yet written
    with writing(engine) as session:
        assert conversations.store(session, slot)
    with reading(engine) as session:
        assert session.get(Conversation, "bob").form == "duty_entry"
    with reading(engine) as session:
        slot = conversations.load(session, wecom_userid="bob")
    conversations.finish(slot)
    with writing(engine) as session:
        assert conversations.store(session, slot)
    with reading(engine) as session:
        assert session.get(Conversation, "bob") is None


def test_an_unchanged_form_writes_nothing(engine):
    _start_form(engine, "carol", "date")
    with reading(engine) as session:
        slot = conversations.load(session, wecom_userid="carol")
    assert not slot.changed
    with reading(engine) as session:  # storing an unchanged slot needs no write at all
        assert conversations.store(session, slot)


def _backend_pid(engine) -> int:
    with reading(engine) as session:
        return session.connection().execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(postgres_url: str, pid: int) -> None:
    admin = make_engine(postgres_url)
    with writing(admin) as session:
        session.connection().execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.mark.postgres
def test_on_postgresql_a_connection_cut_while_idle_is_replaced_unnoticed(postgres_url):
    engine = make_engine(postgres_url)
    cut = _backend_pid(engine)
    _terminate(postgres_url, cut)
    time.sleep(PING_AFTER_IDLE_S + 0.1)
    assert _backend_pid(engine) != cut  # answered on a new connection, no error
    engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_the_idle_ping_leaves_no_transaction_open(postgres_url):
    """A session's statements must not run inside a transaction the ping opened long before."""
    engine = make_engine(postgres_url)
    _backend_pid(engine)
    time.sleep(PING_AFTER_IDLE_S + 0.1)
    with engine.connect() as connection:  # checked out, pinged, nothing sent by us yet
        status = connection.connection.dbapi_connection.info.transaction_status
    assert status == TransactionStatus.IDLE
    engine.dispose()
