"""The shared rate limiter: console sign-in and the public pages use it.

Usage: ``from backend.limits import limiter`` then ``@limiter.limit("30 per minute")``
on a view. Counters live in process memory (each gunicorn worker counts on its own), which is
enough to slow down password guessing and rating floods from one address.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(
    get_remote_address,
    default_limits=[],
    storage_uri="memory://",
    headers_enabled=True,
    strategy="moving-window",
)


UNLIMITED_BLUEPRINTS = {"wecom"}  # signed WeCom callbacks: hot path, nothing to limit per address


def init_limiter(app: Flask) -> None:
    """Attach the shared limiter to an app."""
    limiter.init_app(app)


@limiter.request_filter
def _unlimited() -> bool:
    return request.blueprint in UNLIMITED_BLUEPRINTS
