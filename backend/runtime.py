"""The one composition root: settings, engine, clock, WeCom client, callback crypto, dispatch.

`build_runtime(settings)` builds them once per process; the web app (`create_app`), the
scheduler process and every `lvzhi` command take what they need from the `Runtime` it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy.engine import Engine

from backend.db import make_engine
from backend.outbox import rules as outbox_rules
from backend.outbox.delivery import build_client
from backend.settings import Settings
from bot.client import WeComClient
from bot.crypto import CallbackCrypto

if TYPE_CHECKING:
    from backend.chat.inbox import Dispatch

EXTENSION_KEY = "lvzhi"


@dataclass
class Runtime:
    """Process-wide objects built once from the settings."""

    settings: Settings
    engine: Engine
    crypto: CallbackCrypto
    dispatch: Dispatch
    clock: Callable[[], datetime]
    client: WeComClient


def build_runtime(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] | None = None,
    checkpoints: bool = True,
) -> Runtime:
    """Build the process's runtime from its settings (tests may hand in an engine or a clock)."""
    import handlers  # the one place backend reaches handlers (design.md)

    engine = engine or make_engine(settings.DATABASE_URL, checkpoints=checkpoints)
    outbox_rules.use_channel(settings.LVZHI_CHANNEL)  # members' pushes: the app or the bot
    return Runtime(
        settings=settings,
        engine=engine,
        crypto=CallbackCrypto(settings.WECOM_TOKEN, settings.WECOM_AES_KEY, settings.WECOM_CORP_ID),
        dispatch=handlers.dispatch,
        clock=clock or local_clock(settings),
        client=build_client(settings, engine),
    )


def local_clock(settings: Settings) -> Callable[[], datetime]:
    """Return the real clock in the configured time zone."""
    zone = settings.timezone
    return lambda: datetime.now(zone)


def runtime() -> Runtime:
    """Return the runtime of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]
