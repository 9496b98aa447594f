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


def make_engine(database_url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys."""
    if database_url.startswith("sqlite"):
        _ensure_sqlite_folder(database_url)
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        _install_write_gate(engine, _sqlite_path(database_url))
        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=5, max_overflow=10)


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


def _sqlite_begin_immediate(connection) -> None:
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
