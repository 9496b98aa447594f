"""Engine and session creation for SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

READ_ONLY = "lvzhi_read_only"  # marks a read phase: a connection option and a session.info key
_READ_STATEMENTS = ("SELECT", "WITH", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")


class WriteAttempted(BaseException):
    """Code running in a read scope tried to write; run it again in a write transaction.

    A BaseException, like GeneratorExit: it is a signal to the caller of the read phase, and a
    handler's `except Exception` must not swallow it and answer as if the write had happened.
    """


def make_engine(database_url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys."""
    if database_url.startswith("sqlite"):
        _ensure_sqlite_folder(database_url)
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        _install_write_gate(engine, _sqlite_path(database_url))
    else:
        engine = create_engine(database_url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    event.listen(engine, "before_cursor_execute", _refuse_writes_when_read_only)
    return engine


def _sqlite_path(database_url: str) -> str | None:
    path = database_url.split("///", 1)[-1] if "///" in database_url else ""
    return None if path in ("", ":memory:") else path


def _ensure_sqlite_folder(database_url: str) -> None:
    path = _sqlite_path(database_url)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session for reading only: no write lock, and any write raises WriteAttempted."""
    with Session(engine, expire_on_commit=False) as session, read_phase(session):
        yield session


@contextmanager
def read_phase(session: Session) -> Iterator[Session]:
    """Run the next transaction of `session` read-only, then roll it back and end the phase."""
    session.info[READ_ONLY] = True
    session.connection(execution_options={READ_ONLY: True})
    try:
        yield session
        if session.new or session.dirty or session.deleted:
            raise WriteAttempted("unflushed changes in a read scope")
    finally:
        session.rollback()
        session.info.pop(READ_ONLY, None)


def require_write(session: Session) -> None:
    """Stop a read phase at once when the code about to run will write (saves wasted reads)."""
    if session.info.get(READ_ONLY):
        raise WriteAttempted("a write is coming")


@event.listens_for(Session, "before_flush")
def _refuse_flush(session, _context, _instances) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise WriteAttempted("flush in a read scope")


def _refuse_writes_when_read_only(connection, _cursor, statement, *_args) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY)
    if read_only and not statement.lstrip()[:9].upper().startswith(_READ_STATEMENTS):
        raise WriteAttempted(statement.split(None, 1)[0])


def _sqlite_begin(connection) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        # A snapshot for reading: in WAL mode it runs beside the writer, without the gate.
        connection.exec_driver_sql("BEGIN")
        return
    # Take the write lock up front: a deferred transaction that later writes can fail with
    # "database is locked" no matter the busy timeout when another writer got in first.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _install_write_gate(engine: Engine, database_path: str | None) -> None:
    """Queue SQLite transactions on an OS file lock instead of SQLite's busy-wait sleeps.

    SQLite's busy handler polls with sleeps of up to 100 ms, which gives long latency tails
    when several gunicorn workers write at once; a blocking flock wakes the next writer at once.
    """
    if database_path is None:
        return
    lock_path = database_path + ".lock"

    def open_lock(_dbapi_connection, record) -> None:
        record.info["write_gate"] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(connection) -> None:
        if not connection.get_execution_options().get(READ_ONLY):
            fcntl.flock(connection.connection.info["write_gate"], fcntl.LOCK_EX)

    def release_on_checkin(_dbapi_connection, record) -> None:
        if "write_gate" in record.info:
            fcntl.flock(record.info["write_gate"], fcntl.LOCK_UN)

    def close_lock(_dbapi_connection, record) -> None:
        descriptor = record.info.pop("write_gate", None)
        if descriptor is not None:
            os.close(descriptor)

    event.listen(engine, "connect", open_lock)
    event.listen(engine, "begin", acquire, insert=True)
    # Released when the connection goes back to the pool, i.e. after COMMIT/ROLLBACK finished;
    # the "commit" event fires before the commit, which would let the next writer hit SQLITE_BUSY.
    event.listen(engine.pool, "checkin", release_on_checkin)
    event.listen(engine.pool, "close", close_lock)
