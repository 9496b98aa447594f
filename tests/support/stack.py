"""The whole system on loopback for tests: the WeCom emulator and our web app, both over HTTP."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import requests
from flask import Flask
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col, select
from werkzeug.serving import make_server

from backend.app import create_app
from backend.db import db_now, make_engine, reading, writing
from backend.demo.emulator_link import emulator_config, push_directory
from backend.models import OutboxMessage, OutboxStatus
from backend.outbox import rules
from backend.outbox.delivery import DeliveryStats, deliver_due
from backend.runtime import EXTENSION_KEY
from backend.settings import Settings, load_settings
from bot.client import WeComClient
from bot.emulator import EmulatorServer
from scheduled.longconn import BotThread
from scheduled.work.runner import run_due_jobs

TEST_WECOM = {
    "WECOM_CORP_ID": "wwtest00000000001",
    "WECOM_AGENT_ID": 1000002,
    "WECOM_SECRET": "test-secret-0123456789abcdef",
    # Random values (settings refuse published or guessable secrets); never use them elsewhere.
    "WECOM_TOKEN": "zdx7g2yedkcuepT1C4MhGYd0a80icg1i",
    "WECOM_AES_KEY": "Z9ZwBLoonVHdlU3AoaBYho4rhul9EnmXO8Mo2cjJ0rA",
    "SECRET_KEY": "6COFohR1jzRvQxFZst7FvBkt_JLVYrsOHjpTRnYmlMQ2NAISaeZxCX9UCIijlBVd",
    "WECOM_BOT_ID": "aibTestBot0001",
    "WECOM_BOT_SECRET": "Qx7pL2vN9sK4mW8rT3yB6hJ1cF5dG0zA",
    # Renewed every 2 s: each test's wiped database drops the bot's lease row until then.
    "LVZHI_BOT_LEASE_SECONDS": 6,
}
CHANNELS = ("callback", "longconn")


def _due_pushes(engine: Engine) -> int:
    """Count the "bot" rows due now or being pushed."""
    row = col(OutboxMessage.status)
    due = ((row == OutboxStatus.PENDING) & (col(OutboxMessage.next_attempt_at) <= db_now())) | (
        row == OutboxStatus.SENDING
    )
    stmt = select(func.count()).where(col(OutboxMessage.channel) == "bot", due)
    with reading(engine) as session:
        return session.exec(stmt).one()


class _LazyApp:
    """A WSGI callable whose app is attached after the port is known."""

    app: Flask | None = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@dataclass
class Clock:
    """A clock tests can freeze; None means real time."""

    frozen: datetime | None = None
    zone: object = None

    def __call__(self) -> datetime:
        return self.frozen or datetime.now(self.zone)


@dataclass
class Stack:
    """Our web app and the emulator, talking to each other over loopback HTTP."""

    settings: Settings
    engine: Engine
    app: Flask
    emulator: EmulatorServer
    web_url: str
    client: WeComClient
    clock: Clock
    _servers: list = field(default_factory=list)
    bot: BotThread | None = None
    channel: str = "callback"

    def use_channel(self, channel: str) -> None:
        """Let members reach the bot by callback or by the long connection (started once).

        In long-connection mode what the bot can push to members goes through it, as in a
        deployment with `LVZHI_CHANNEL=longconn` (the stack's settings say callback).
        """
        rules.use_channel(channel)
        self.channel = channel
        if channel == "longconn":
            if self.bot is None:
                self.bot = self.new_bot().start()
            self.wait_for_bot()  # before members are switched over, so a failure leaves none
        self.emulator_call("PUT", "/_emulator/bot", json={"channel": channel})

    def new_bot(self) -> BotThread:
        """A long-connection process on this stack's runtime, quick to reconnect for tests."""
        runtime = self.app.extensions[EXTENSION_KEY]
        return BotThread(runtime, reconnect_ms=100, replaced_pause=0.5, push_poll=0.05)

    def wait_for_bot(self, timeout: float = 15.0) -> None:
        """Wait until the bot's long connection is subscribed."""
        deadline = time.monotonic() + timeout
        while not self.emulator_call("GET", "/_emulator/bot").json()["connected"]:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not connect to the emulator")
            time.sleep(0.05)

    def deliver(self, now: datetime | None = None) -> DeliveryStats:
        """Run one outbox delivery pass (what the scheduler's worker does), and in
        long-connection mode wait until the bot has pushed what is due.

        `now` acts as if the database's clock said so (a test's way to let time pass); the
        bot's pushes go by the database's own clock.
        """
        stats = deliver_due(self.engine, self.client, now=now)
        if self.channel == "longconn" and self.bot is not None:
            self._wait_for_pushes()
        return stats

    def _wait_for_pushes(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while _due_pushes(self.engine):
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not push its due outbox rows")
            time.sleep(0.02)

    def run_jobs(self) -> int:
        """Run every queued job in this process (what the scheduler's job runner does)."""
        return run_due_jobs(self.engine, settings=self.settings)

    def emulator_call(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the emulator's control API."""
        response = requests.request(method, self.emulator.url + path, timeout=30, **kwargs)
        response.raise_for_status()
        return response

    def reset(self, populate) -> None:
        """Empty every table, repopulate, and reset the emulator with the new directory."""
        wipe_database(self.engine)
        self.channel = "callback"
        rules.use_channel("callback")
        with writing(self.engine) as session:
            populate(session)
        self.emulator_call("POST", "/_emulator/reset")
        with reading(self.engine) as session:
            push_directory(session, self.emulator.url)
        self.clock.frozen = None

    def stop(self) -> None:
        """Shut the servers down."""
        if self.bot is not None:
            self.bot.stop()
        for server in self._servers:
            server.shutdown()
        self.emulator.stop()
        self.engine.dispose()


def wipe_database(engine: Engine) -> None:
    """Delete every row of every table (keeping the schema and Alembic's version)."""
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        for table in tables:
            connection.execute(table.delete())


def start_stack(database_url: str, folder: Path) -> Stack:
    """Start the emulator and the web app on free loopback ports."""
    lazy = _LazyApp()
    web = make_server("127.0.0.1", 0, lazy, threaded=True)
    web_url = f"http://127.0.0.1:{web.server_port}"
    base = load_settings(DATABASE_URL=database_url, PUBLIC_BASE_URL=web_url, **TEST_WECOM)
    emulator = EmulatorServer(emulator_config(base))
    emulator.start()
    assert emulator.bot_socket is not None  # TEST_WECOM names a bot
    port = emulator.bot_socket.url.rsplit(":", 1)[1]
    ca_file = folder / f"emulator-ca-{port}.pem"  # one per stack: each emulator has its own
    ca_file.write_bytes(emulator.bot_socket.certificate)
    settings = base.model_copy(
        update={
            "WECOM_API_BASE": emulator.api_base,
            "WECOM_BOT_WS_URL": emulator.bot_socket.url,
            "WECOM_BOT_CA_FILE": str(ca_file),
        }
    )
    engine = make_engine(database_url)
    clock = Clock(zone=settings.timezone)
    lazy.app = create_app(settings, engine=engine, clock=clock)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    client = lazy.app.extensions[EXTENSION_KEY].client  # the app's runtime: one client
    stack = Stack(settings, engine, lazy.app, emulator, web_url, client, clock)
    stack._servers.append(web)
    return stack
