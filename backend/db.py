"""The unit of work: engines for SQLite (WAL) and PostgreSQL, and the two ways to open a session.

`reading(engine)` opens a read-only transaction: on SQLite a deferred `BEGIN` (a WAL snapshot
that never takes the write lock and runs beside the writer) with `PRAGMA query_only`, on
PostgreSQL a `READ ONLY` transaction. `writing(engine)` opens a transaction that commits on
success: `BEGIN IMMEDIATE` on SQLite (the write lock up front, so it cannot fail half-way with
"database is locked"), a normal transaction on PostgreSQL. Keep writes short: load and compute
first, then write.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from sqlalchemy import Float, event, literal
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, create_engine
from sqlmodel.sql.sqltypes import UTCDateTime

ACCESS = "lvzhi_access"  # execution option on the reading engine
READ = "read"
BUSY_TIMEOUT_MS = 30_000
PING_AFTER_IDLE_S = 1.0  # PostgreSQL: a pooled connection idle this long is pinged before use
CHECKED_IN = "lvzhi_checked_in"
_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def make_engine(database_url: str, *, checkpoints: bool = True) -> Engine:
    """Create the engine for a database URL; SQLite gets WAL, a busy timeout and foreign keys.

    `checkpoints=False` (the web server) leaves copying SQLite's WAL back into the database to
    the other processes: the commit that crosses the WAL's size runs that copy, and after a long
    export it can take seconds, which must not fall on a callback.
    """
    if database_url.startswith("sqlite"):
        _ensure_sqlite_folder(database_url)
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if not checkpoints:
            event.listen(engine, "connect", _no_automatic_checkpoints)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine.pool, "checkin", _sqlite_allow_writes_again)
    else:
        engine = create_engine(database_url, pool_size=5, max_overflow=10)
        event.listen(engine.pool, "checkin", _note_checkin)
        ping = partial(_ping_if_idle, engine.dialect.loaded_dbapi.Error)
        event.listen(engine.pool, "checkout", ping)
    return engine


def _note_checkin(_dbapi_connection, record: ConnectionPoolEntry) -> None:
    """Remember when a connection came back to the pool."""
    record.info[CHECKED_IN] = time.monotonic()


def _ping_if_idle(dbapi_error: type[Exception], dbapi_connection, record, _proxy) -> None:
    """Check a pooled connection that sat idle before handing it out; a dead one is replaced.

    A connection back in the pool within the last second was alive then: pinging it too would
    add a round trip to every callback. One idle longer may have been cut by a server restart or
    a firewall, so it answers a ping first, and the pool reconnects when it does not.
    """
    returned = record.info.get(CHECKED_IN)
    if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE_S:
        return
    try:
        _ping(dbapi_connection)
    except dbapi_error as exc:
        raise DisconnectionError("pooled connection is gone") from exc


def _ping(dbapi_connection) -> None:
    # In autocommit, so that the ping opens no transaction the session would then run inside.
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("SELECT 1")
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = False


def reader_of(engine: Engine) -> Engine:
    """Return the read-only view of `engine` (same pool, read-only transactions)."""
    reader = _READERS.get(engine)
    if reader is None:
        if engine.dialect.name == "sqlite":
            reader = engine.execution_options(**{ACCESS: READ})
        else:
            reader = engine.execution_options(**{ACCESS: READ, "postgresql_readonly": True})
        _READERS[engine] = reader
    return reader


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """Yield a session for reading only; it never takes SQLite's write lock."""
    with Session(reader_of(engine), expire_on_commit=False, autoflush=False) as session:
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """Yield a session whose one transaction commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class _DatabaseNow(FunctionElement):
    """The database's current UTC time plus a number of seconds (see `db_now`)."""

    type = UTCDateTime()
    inherit_cache = True
    name = "db_now"


def db_now(seconds: float = 0) -> _DatabaseNow:
    """Return the database's clock (plus `seconds`) as SQL, comparable with stored timestamps.

    Leases and claims compare against this, never against a host's clock, so two hosts whose
    clocks differ agree on who holds what. On PostgreSQL it is the transaction's
    `CURRENT_TIMESTAMP` (timestamptz, like our columns); on SQLite, which stores our timestamps
    as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff', it is `strftime` of 'now' in that same form.
    """
    return _DatabaseNow(literal(float(seconds), Float()))


@compiles(_DatabaseNow, "sqlite")
def _sqlite_now(element: _DatabaseNow, compiler, **kw) -> str:
    seconds = compiler.process(element.clauses, **kw)
    return f"strftime('%Y-%m-%d %H:%M:%f000', 'now', printf('%+.6f seconds', {seconds}))"


@compiles(_DatabaseNow)
def _standard_now(element: _DatabaseNow, compiler, **kw) -> str:
    seconds = compiler.process(element.clauses, **kw)
    return f"(CURRENT_TIMESTAMP + {seconds} * INTERVAL '1 second')"


def is_sqlite(engine: Engine) -> bool:
    """Tell whether the database is SQLite (one writer at a time for the whole file)."""
    return engine.dialect.name == "sqlite"


def _sqlite_path(database_url: str) -> str | None:
    path = database_url.split("///", 1)[-1] if "///" in database_url else ""
    return None if path in ("", ":memory:") else path


def _ensure_sqlite_folder(database_url: str) -> None:
    path = _sqlite_path(database_url)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let the "begin" event issue BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _no_automatic_checkpoints(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def _sqlite_begin(connection: Connection) -> None:
    # Straight to the driver: these run on every transaction of every callback.
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection always has its driver's
    if connection.get_execution_options().get(ACCESS) == READ:
        driver.execute("BEGIN")
        driver.execute("PRAGMA query_only=ON")
        connection.connection.info[ACCESS] = READ
        return
    driver.execute("BEGIN IMMEDIATE")


def _sqlite_allow_writes_again(dbapi_connection, record) -> None:
    # The pool shares connections between the engine and its reader: undo query_only on return.
    if record.info.pop(ACCESS, None) == READ:
        dbapi_connection.execute("PRAGMA query_only=OFF")
