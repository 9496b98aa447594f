"""A lock-free reading engine for long exports.

Our SQLite engine opens every transaction with BEGIN IMMEDIATE behind a file lock, so a long
export on it would hold up every chat write. Exports read through a second engine without that
(WAL lets readers run beside the writer); on PostgreSQL the normal engine is used as it is.
"""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def reading_engine(engine: Engine) -> Engine:
    """Return an engine for long read-only work on the same database."""
    if engine.dialect.name != "sqlite":
        return engine
    url = engine.url.render_as_string(hide_password=False)
    with _lock:
        if url not in _engines:
            reader = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(reader, "connect", _read_pragmas)
            _engines[url] = reader
        return _engines[url]


def _read_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()
