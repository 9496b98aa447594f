"""What every request and job needs: settings, database engine, callback crypto, dispatch, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy.engine import Engine

from backend.settings import Settings
from bot.crypto import CallbackCrypto

EXTENSION_KEY = "lvzhi"


@dataclass
class Runtime:
    """Process-wide objects the app factory builds once."""

    settings: Settings
    engine: Engine
    crypto: CallbackCrypto
    dispatch: Callable
    clock: Callable[[], datetime]


def runtime() -> Runtime:
    """Return the runtime of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]
