"""The request's database session: one read-only session per request, opened on first use.

Views read through `request_session()`; it never takes SQLite's write lock, so a page answers
while an import or the bot holds it. A POST writes in its own short transaction:

    with writing(runtime().engine) as db:   # load and check first, then write here
        ...

Objects loaded through the request session belong to it: pass their ids into the write
transaction and load them again there. After a write, redirect (or render from what the write
transaction returned): the request session keeps the snapshot it started with.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

from flask import Flask, g

from backend.db import reading
from backend.runtime import runtime

if TYPE_CHECKING:
    from sqlmodel import Session

_KEY = "lvzhi_request_session"


def request_session() -> Session:
    """Return this request's read-only session, opening it on first use."""
    opened = g.get(_KEY)
    if opened is None:
        stack = ExitStack()
        opened = (stack, stack.enter_context(reading(runtime().engine)))
        setattr(g, _KEY, opened)
    return opened[1]


def close_request_session(_error: BaseException | None = None) -> None:
    """Close the request's session, if one was opened (its read transaction ends)."""
    opened = g.pop(_KEY, None)
    if opened is not None:
        opened[0].close()


def init_request_sessions(app: Flask) -> None:
    """Close each request's session when the request ends."""
    app.teardown_appcontext(close_request_session)
