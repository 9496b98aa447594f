"""The shared rate limiter: console sign-in and the public pages use it.

Usage: ``from backend.web.limits import limiter`` then ``@limiter.limit("30 per minute")`` on a
view. The counters are shared by every gunicorn worker and every node: in Redis when
``LVZHI_REDIS_URL`` is set, otherwise in the ``ratelimitcounter`` table of the app's database
(storage scheme ``lvzhi-db://``). Windows are fixed (a counter and the Unix time it resets).
Behind a reverse proxy the client address comes from ProxyFix (``LVZHI_TRUSTED_PROXIES``).

Sign-in is throttled per (user name, address) and per address; failures for one user name from
many addresses never refuse a fresh address: they only put the addresses that failed on a cool-down.
"""

from __future__ import annotations

import hashlib
import random
import time
import weakref
from typing import ClassVar

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import Storage
from sqlalchemy import Float, Integer, bindparam, delete, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col
from werkzeug.middleware.proxy_fix import ProxyFix

from backend.db import reading, writing
from backend.models.limits import RateLimitCounter
from backend.runtime import EXTENSION_KEY, runtime
from backend.settings import Settings

DATABASE_STORAGE = "lvzhi-db://"
UNLIMITED_BLUEPRINTS = {"wecom", "health"}  # signed callbacks (hot path) and probes (cheap)
MAX_KEY = 200
PURGE_CHANCE = 0.01  # about one counter write in a hundred also deletes long-expired counters

limiter = Limiter(get_remote_address, default_limits=[], headers_enabled=True)


def init_limiter(app: Flask, settings: Settings) -> None:
    """Trust the configured proxies and attach the shared limiter on its shared store."""
    hops = settings.LVZHI_TRUSTED_PROXIES
    if hops:
        proxied = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        app.wsgi_app = proxied  # type: ignore[method-assign]
    app.config.update(
        RATELIMIT_STORAGE_URI=settings.LVZHI_REDIS_URL or DATABASE_STORAGE,
        RATELIMIT_STRATEGY="fixed-window",
        RATELIMIT_KEY_PREFIX="lvzhi",
        RATELIMIT_SWALLOW_ERRORS=True,  # the store is down: serve (and log) rather than 500
    )
    _ENGINES.add(app.extensions[EXTENSION_KEY].engine)
    limiter.init_app(app)


@limiter.request_filter
def _unlimited() -> bool:
    return request.blueprint in UNLIMITED_BLUEPRINTS


# --- console sign-in ------------------------------------------------------------------------

ADDRESS_LIMITS = [parse("30/minute"), parse("100/hour")]  # failures per address
PAIR_LIMITS = [parse("10/minute"), parse("20/hour")]  # failures per (user name, address)
USER_ALARM = parse("20/hour")  # failures per user name from anywhere: starts the cool-down
COOL_DOWN = parse("1/15minutes")  # while alarmed: one failure puts that address on hold
TOO_MANY_FROM_ADDRESS = "登录尝试过于频繁，请稍后再试"
TOO_MANY_FOR_ACCOUNT = "该账号在本机登录失败次数过多，请稍后再试"
COOLING_DOWN = "该账号近期登录失败较多，本机请 15 分钟后再试"


def _user(username: str) -> str:
    return "login:" + hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def login_refusal(username: str) -> str | None:
    """Return why this address may not try to sign in as `username` now, or None."""
    strategy, address, user = limiter.limiter, get_remote_address(), _user(username)
    if not all(strategy.test(item, "login-address", address) for item in ADDRESS_LIMITS):
        return TOO_MANY_FROM_ADDRESS
    if not all(strategy.test(item, "login-pair", user, address) for item in PAIR_LIMITS):
        return TOO_MANY_FOR_ACCOUNT
    alarmed = not strategy.test(USER_ALARM, "login-user", user)
    if alarmed and not strategy.test(COOL_DOWN, "login-cool", user, address):
        return COOLING_DOWN
    return None


def record_login_failure(username: str) -> None:
    """Count a failed sign-in against this address, this pair and the user name."""
    strategy, address, user = limiter.limiter, get_remote_address(), _user(username)
    for item in ADDRESS_LIMITS:
        strategy.hit(item, "login-address", address)
    for item in PAIR_LIMITS:
        strategy.hit(item, "login-pair", user, address)
    strategy.hit(USER_ALARM, "login-user", user)
    strategy.hit(COOL_DOWN, "login-cool", user, address)


# --- the database store -----------------------------------------------------------------------

_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _stored_key(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    return key[: MAX_KEY - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()


# Add `amount` to a counter, restarting it once its window ended. Plain SQL that SQLite and
# PostgreSQL both speak, built once: the dialects' own INSERT constructs are not cacheable, so
# SQLAlchemy would compile them again on every rate-limited request.
_UPSERT = text(
    'INSERT INTO ratelimitcounter ("key", hits, expires_at) VALUES (:key, :amount, :ends) '
    'ON CONFLICT ("key") DO UPDATE SET '
    "hits = CASE WHEN ratelimitcounter.expires_at <= :now THEN :amount "
    "ELSE ratelimitcounter.hits + :amount END, "
    "expires_at = CASE WHEN ratelimitcounter.expires_at <= :now THEN :ends "
    "ELSE ratelimitcounter.expires_at END "
    "RETURNING hits"
).bindparams(
    bindparam("amount", type_=Integer()),
    bindparam("now", type_=Float()),
    bindparam("ends", type_=Float()),
)


def _upsert_values(key: str, expiry: float, amount: int, now: float) -> dict:
    """Return the values of `_UPSERT` for one hit on one counter."""
    return {"key": key, "amount": amount, "now": now, "ends": now + expiry}


class DatabaseStorage(Storage):
    """Rate-limit counters in the app's database: every worker and node on it shares them."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["lvzhi-db"]  # type: ignore[misc]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        """Create the store; the engine is the current app's, looked up on each call."""
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        """Return the errors the database may raise."""
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add `amount` to the counter in one short write; return its new value."""
        engine, now = runtime().engine, time.time()
        with writing(engine) as db:
            values = _upsert_values(_stored_key(key), expiry, amount, now)
            hits = db.execute(_UPSERT, values).scalar_one()
            if random.random() < PURGE_CHANCE:
                db.execute(delete(RateLimitCounter).where(col(RateLimitCounter.expires_at) < now))
        return int(hits)

    def get(self, key: str) -> int:
        """Return the counter's value in its current window (0 once it ended)."""
        row = self._row(key)
        return int(row.hits) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        """Return the Unix time at which the counter's window ends."""
        row = self._row(key)
        return float(row.expires_at) if row is not None else time.time()

    def check(self) -> bool:
        """Tell whether the database answers."""
        try:
            with reading(runtime().engine) as db:
                db.execute(select(1)).scalar_one()
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Delete every counter in every database the limiter served; return how many."""
        removed = 0
        for engine in list(_ENGINES):
            with writing(engine) as db:
                removed += db.exec(delete(RateLimitCounter)).rowcount or 0
        return removed

    def clear(self, key: str) -> None:
        """Delete one counter."""
        with writing(runtime().engine) as db:
            db.execute(
                delete(RateLimitCounter).where(col(RateLimitCounter.key) == _stored_key(key))
            )

    def _row(self, key: str):
        with reading(runtime().engine) as db:
            stmt = select(col(RateLimitCounter.hits), col(RateLimitCounter.expires_at))
            return db.execute(stmt.where(col(RateLimitCounter.key) == _stored_key(key))).first()
