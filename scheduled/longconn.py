"""The intelligent bot's long connection (`lvzhi bot`): one process holds it, like the scheduler.

The holder of the `longconn` lease opens the WebSocket with WeCom's official SDK, which sends
heartbeats and reconnects with back-off; every member's message goes through the same inbox and
handlers as a callback (exactly once per message id, the form stored in the database, so a lost
connection loses nothing), and the first reply goes back on the connection. A process that loses
the lease closes its connection; one that is told its connection was replaced steps back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import defaultdict
from typing import Any

from aibot import WSClient, WSClientOptions
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from backend.models import BOT_LEASE
from backend.runtime import Runtime
from bot.aibot_frames import frame_to_inbound, is_disconnect
from scheduled import lease
from scheduled.answering import answerer_for
from scheduled.bot_push import POLL_SECONDS, BotPushes

log = logging.getLogger(__name__)

LEASE = BOT_LEASE
REPLACED_PAUSE = 60.0  # seconds a replaced process waits before it may connect again
CLOSE_WAIT_STEPS = 100  # × 50 ms: how long closing waits for WeCom's side of the handshake


class _SdkLog:
    """The SDK's logger interface on top of logging (it calls warn, not warning)."""

    def __init__(self) -> None:
        self._log = logging.getLogger("aibot")

    def debug(self, message: str, *args: object) -> None:
        self._log.debug(message, *args)

    def info(self, message: str, *args: object) -> None:
        self._log.info(message, *args)

    def warn(self, message: str, *args: object) -> None:
        self._log.warning(message, *args)

    def error(self, message: str, *args: object) -> None:
        self._log.error(message, *args)


class LongConnection:
    """One connection to WeCom for the bot, answering members' messages as they come."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        reconnect_ms: int = 1000,
        heartbeat_ms: int = 30000,
        push_poll: float = POLL_SECONDS,
    ):
        settings = runtime.settings
        if settings.WECOM_BOT_CA_FILE:
            _trust(settings.WECOM_BOT_CA_FILE)
        self.runtime = runtime
        self.replaced = asyncio.Event()
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.client = WSClient(
            WSClientOptions(
                bot_id=settings.WECOM_BOT_ID,
                secret=settings.WECOM_BOT_SECRET,
                ws_url=settings.WECOM_BOT_WS_URL,
                reconnect_interval=reconnect_ms,
                max_reconnect_attempts=-1,
                heartbeat_interval=heartbeat_ms,
                logger=_SdkLog(),
            )
        )
        self.client.on("message", self._on_frame)
        self.client.on("event", self._on_frame)
        # pyee raises an "error" nobody listens to, which would end the SDK's reconnecting.
        self.client.on("error", self._on_error)
        self._task: asyncio.Task | None = None
        self._pushes = BotPushes(runtime, self.client, poll=push_poll)  # "bot" rows, while open
        self._answerer = answerer_for(runtime)

    def open(self) -> None:
        """Start connecting (the SDK keeps reconnecting until `close`)."""
        self._task = asyncio.ensure_future(self.client.connect())
        self._pushes.start()

    async def close(self) -> None:
        """Close the connection, stop reconnecting, and wait (briefly) until it is closed."""
        self.client.disconnect()  # schedules the close handshake on this loop
        await self._pushes.stop()  # a push in flight fails (retried later) and the loop ends
        self._answerer.close()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        for _ in range(CLOSE_WAIT_STEPS):
            if not self.client.is_connected:
                return
            await asyncio.sleep(0.05)

    def _on_error(self, error: Exception) -> None:
        log.warning("long connection: %s (the SDK reconnects)", error)

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        if is_disconnect(frame):
            log.error("another connection took over bot %s", self.runtime.settings.WECOM_BOT_ID)
            self.replaced.set()
            return
        message = frame_to_inbound(frame)
        if message is None:
            return
        async with self._locks[message.user_id]:  # one member's messages in the order sent
            rendered = await self._answerer.answer(message)
        if rendered:
            try:
                await self.client.reply(frame, json.loads(rendered))
            except (RuntimeError, TimeoutError) as exc:  # lost connection, refused or no ack
                log.warning("reply to %s not acknowledged: %s", message.dedupe_key, exc)


def _trust(ca_file: str) -> None:
    """Add a CA to the SDK's TLS context (it offers no option: it dials with a context of its
    own, built from certifi's bundle, and refuses ws://)."""
    from aibot import ws

    ws._SSL_CONTEXT.load_verify_locations(cafile=ca_file)


async def hold_and_serve(
    runtime: Runtime,
    stop: asyncio.Event,
    *,
    holder: str = "",
    replaced_pause: float = REPLACED_PAUSE,
    **options: Any,
) -> None:
    """Hold the lease and the connection until `stop` is set; hand over if the lease is lost."""
    engine, seconds = runtime.engine, runtime.settings.LVZHI_BOT_LEASE_SECONDS
    holder, connection = holder or lease.holder_name(), None
    try:
        while not stop.is_set():
            if connection is not None and connection.replaced.is_set():
                await connection.close()  # someone else dialled in with our bot's secret: step back
                connection = None
                await asyncio.to_thread(lease.release, engine, holder=holder, name=LEASE)
                await _wait(stop, replaced_pause)
                continue
            held = await _renew(engine, holder, seconds)
            if held and connection is None:
                connection = LongConnection(runtime, **options)
                connection.open()
                log.info("holding the long connection as %s", holder)
            elif not held and connection is not None:
                await connection.close()
                connection = None
                log.warning("lease lost: long connection closed")
            await _wait(stop, seconds / 3, connection.replaced if connection else None)
    finally:
        if connection is not None:
            await connection.close()
        with contextlib.suppress(SQLAlchemyError):  # the lease runs out by itself anyway
            await asyncio.to_thread(lease.release, engine, holder=holder, name=LEASE)


async def _renew(engine: Engine, holder: str, seconds: float) -> bool:
    """Take or renew the lease; a database that cannot answer counts as not holding it."""
    try:
        return await asyncio.to_thread(
            lease.try_acquire, engine, holder=holder, seconds=seconds, name=LEASE
        )
    except SQLAlchemyError:
        log.exception("lease not renewed: the database did not answer")
        return False


async def _wait(stop: asyncio.Event, seconds: float, also: asyncio.Event | None = None) -> None:
    """Wait `seconds`, or less when `stop` (or `also`) is set."""
    events = [asyncio.ensure_future(e.wait()) for e in (stop, also) if e is not None]
    await asyncio.wait(events, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for waiter in events:
        waiter.cancel()


class BotThread:
    """Run `hold_and_serve` on its own event loop in a daemon thread (tests, benchmarks)."""

    def __init__(self, runtime: Runtime, **options: Any) -> None:
        self.holder = lease.holder_name()
        options["holder"] = self.holder
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(
            target=self._run, args=(runtime, options), name="longconn", daemon=True
        )

    def _run(self, runtime: Runtime, options: dict) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(hold_and_serve(runtime, self._stop, **options))
        finally:  # as asyncio.run does: end what the SDK left running (its disconnect task)
            left = asyncio.all_tasks(self._loop)
            for task in left:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            self._loop.close()

    def start(self) -> BotThread:
        """Start the thread; return self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the connection, give up the lease and end the thread."""
        if self._loop.is_closed():  # stopped already
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)


def main() -> None:
    """Run the long-connection process until SIGINT or SIGTERM (`lvzhi bot`)."""
    import signal

    from backend.runtime import build_runtime
    from backend.settings import cached_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    runtime = build_runtime(cached_settings())

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await hold_and_serve(runtime, stop)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
