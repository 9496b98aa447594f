"""The intelligent bot's long connection, played by the emulator on a real WebSocket.

Frames are what WeCom's official SDK (`wecom-aibot-python-sdk`) speaks: `{cmd, headers: {req_id},
body}` one way, acks `{headers: {req_id}, errcode, errmsg}` the other. The bot authenticates with
`aibot_subscribe`, keeps the connection with `ping`, gets members' messages as
`aibot_msg_callback` and events as `aibot_event_callback`, and answers with `aibot_respond_msg`
(same req_id) or pushes with `aibot_send_msg`. A second subscription for the same bot replaces
the first, which gets a `disconnected_event` and is closed.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from bot.emulator.longconn_frames import (
    ERRMSG,
    INVALID_FRAME,
    INVALID_SECRET,
    MAX_PENDING,
    NOT_IN_CHAT,
    NOT_SUBSCRIBED,
    RESPONSES,
    SUBSCRIBE_WAIT,
    BotFaults,
    Pending,
    shown,
    where_shown,
)
from bot.emulator.tls import self_signed, server_context

_ids = itertools.count(1)

Recorder = Callable[..., dict]


class BotSocket:
    """The long-connection server, on its own asyncio loop in a daemon thread."""

    def __init__(
        self,
        bot_id: str,
        secret: str,
        record: Recorder,
        host: str = "127.0.0.1",
        is_member: Callable[[str], bool] = lambda chatid: False,
        in_group: Callable[[str], bool] = lambda chatid: True,
    ) -> None:
        self.bot_id, self.secret, self.host = bot_id, secret, host
        self.record = record  # EmulatorState.record: what members and groups see
        self.is_member = is_member  # a push's chatid is a member's userid, else a group's id
        self.in_group = in_group  # whether the bot was added to that group
        self.faults = BotFaults()
        self.channel = "callback"  # how members' messages reach the bot: callback or longconn
        self.url = ""
        # WeCom's SDK dials only wss://: a certificate of our own, which the bot is told to trust.
        self.certificate, self._key = self_signed(host)
        self.subscriptions = 0
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._active: ServerConnection | None = None
        self._pending: dict[str, Pending] = {}
        self._lock = threading.Lock()

    def start(self, port: int = 0) -> BotSocket:
        """Listen on `port` (0: any free one) and serve from a daemon thread."""
        ready: Future[None] = Future()
        thread = threading.Thread(target=self._run, args=(port, ready), daemon=True)
        thread.name = "wecom-emulator-bot-socket"
        thread.start()
        ready.result(timeout=10)
        return self

    def _run(self, port: int, ready: Future[None]) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._listen(port))
        except OSError as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        self._loop.run_forever()

    async def _listen(self, port: int) -> None:
        tls = server_context(self.certificate, self._key)
        self._server = await serve(
            self._session, self.host, port, ping_interval=None, ssl=tls, close_timeout=1
        )
        bound = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"wss://{self.host}:{bound}"

    def stop(self) -> None:
        """Close every connection and stop the loop."""
        if self._server is not None:
            server = self._server
            self._call(self._close_server(server))
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _close_server(self, server: Server) -> None:
        server.close()
        await server.wait_closed()

    @property
    def connected(self) -> bool:
        """Tell whether a bot is subscribed now."""
        return self._active is not None

    def drop(self) -> bool:
        """Close the active connection abruptly (the 'connection dropped' fault)."""
        active = self._active
        if active is None:
            return False
        self._call(active.close(code=1011, reason="dropped by the emulator"))
        return True

    # --- what members do --------------------------------------------------------------------

    def message_body(self, userid: str, text: str, chatid: str = "") -> dict:
        """Build the body of a member's text message, in a one-to-one chat or a group."""
        body: dict[str, Any] = {
            "msgid": f"{int(time.time() * 1000)}{next(_ids):06d}",
            "aibotid": self.bot_id,
            "chattype": "group" if chatid else "single",
            "from": {"userid": userid},
            "msgtype": "text",
            "text": {"content": text},
        }
        return body | ({"chatid": chatid} if chatid else {})

    def public(self) -> dict:
        """Describe the long connection for the control API."""
        return {
            "url": self.url,
            "channel": self.channel,
            "connected": self.connected,
            "subscriptions": self.subscriptions,
            "ack_delay": self.faults.ack_delay,
            "ignore_pings": self.faults.ignore_pings,
            "push_errcode": self.faults.push_errcode,
        }

    def deliver(self, cmd: str, body: dict, *, wait: float) -> dict:
        """Send a callback frame to the bot; wait up to `wait` s for its first reply."""
        req_id = f"{cmd}_{secrets.token_hex(8)}"
        frame = {"cmd": cmd, "headers": {"req_id": req_id}, "body": body}
        pending = Pending(frame)
        with self._lock:
            self._pending[req_id] = pending
            while len(self._pending) > MAX_PENDING:  # forget the oldest callbacks
                self._pending.pop(next(iter(self._pending)))
        active = self._active
        if active is None:
            return {"delivered": 0, "replies": [], "errors": ["no bot connected"]}
        try:
            self._call(active.send(json.dumps(frame, ensure_ascii=False)))
        except (ConnectionClosed, RuntimeError) as exc:
            return {"delivered": 0, "replies": [], "errors": [f"send failed: {exc!r}"]}
        pending.answered.wait(wait)
        with self._lock:
            replies = list(pending.replies)
        errors = [] if replies or wait == 0 else [f"no reply within {wait:g} s"]
        return {"delivered": 1, "req_id": req_id, "replies": replies, "errors": errors}

    def _call(self, coroutine: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # --- one connection ---------------------------------------------------------------------

    async def _session(self, connection: ServerConnection) -> None:
        try:
            if not await self._subscribe(connection):
                return
            async for raw in connection:
                await self._on_frame(connection, raw)
        except ConnectionClosed:
            pass
        finally:
            if self._active is connection:
                self._active = None

    async def _subscribe(self, connection: ServerConnection) -> bool:
        try:
            frame = json.loads(await asyncio.wait_for(connection.recv(), SUBSCRIBE_WAIT))
        except (TimeoutError, ValueError, ConnectionClosed):
            await connection.close(code=1008, reason="subscribe first")
            return False
        body = frame.get("body") if isinstance(frame, dict) else None
        if frame.get("cmd") != "aibot_subscribe" or not isinstance(body, dict):
            await self._ack(connection, frame, NOT_SUBSCRIBED, "subscribe first")
            await connection.close(code=1008, reason="subscribe first")
            return False
        if body.get("bot_id") != self.bot_id or body.get("secret") != self.secret:
            await self._ack(connection, frame, INVALID_SECRET, "invalid bot_id or secret")
            await connection.close(code=1008, reason="invalid credentials")
            return False
        previous, self._active = self._active, connection
        self.subscriptions += 1
        await self._ack(connection, frame, 0, "ok")
        if previous is not None:
            await self._replace(previous)
        return True

    async def _replace(self, previous: ServerConnection) -> None:
        """Tell the older connection it was replaced, then close it."""
        body = {
            "msgid": f"disconnect-{next(_ids)}",
            "create_time": int(time.time()),
            "aibotid": self.bot_id,
            "msgtype": "event",
            "event": {"eventtype": "disconnected_event"},
        }
        frame = {"cmd": "aibot_event_callback", "headers": {"req_id": "disconnect"}, "body": body}
        try:
            await previous.send(json.dumps(frame))
            await previous.close(code=1000, reason="replaced by a new connection")
        except ConnectionClosed:
            pass

    async def _on_frame(self, connection: ServerConnection, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
        except ValueError:
            return
        if not isinstance(frame, dict):
            return
        cmd = frame.get("cmd")
        if cmd == "ping":
            if not self.faults.ignore_pings:
                await self._ack(connection, frame, 0, "ok")
            return
        if self.faults.ack_delay:
            await asyncio.sleep(self.faults.ack_delay)
        if cmd in RESPONSES:
            errcode = self._take_reply(frame, str(cmd))
        elif cmd == "aibot_send_msg":
            errcode = self._take_push(frame)
        else:
            errcode = INVALID_FRAME
        await self._ack(connection, frame, errcode, ERRMSG.get(errcode, "invalid frame"))

    async def _ack(
        self, connection: ServerConnection, frame: dict, errcode: int, errmsg: str
    ) -> None:
        headers = frame.get("headers")
        req_id = headers.get("req_id", "") if isinstance(headers, dict) else ""
        ack = {"headers": {"req_id": req_id}, "errcode": errcode}
        await connection.send(json.dumps({**ack, "errmsg": errmsg}))

    def _take_reply(self, frame: dict, cmd: str) -> int:
        """Record a reply to one of our callbacks and wake whoever waits for it."""
        req_id = str((frame.get("headers") or {}).get("req_id") or "")
        body = frame.get("body")
        with self._lock:
            pending = self._pending.get(req_id)
        if pending is None or not isinstance(body, dict):
            return INVALID_FRAME
        source = pending.frame["body"]
        where = where_shown(source)
        record = self.record(direction="bot", channel="bot", reply_to=cmd, **where, **shown(body))
        with self._lock:
            pending.replies.append(record)
        pending.answered.set()
        return 0

    def _take_push(self, frame: dict) -> int:
        """Record a message the bot pushed to a member or a group."""
        body = frame.get("body")
        if not isinstance(body, dict) or not isinstance(body.get("chatid"), str):
            return INVALID_FRAME
        if self.faults.push_errcode:
            return self.faults.push_errcode
        chatid = body["chatid"]  # the SDK sends no chat type: a userid means a one-to-one chat
        if not self.is_member(chatid) and not self.in_group(chatid):
            return NOT_IN_CHAT
        where = {"userid": chatid} if self.is_member(chatid) else {"chatid": chatid}
        self.record(direction="bot", channel="bot", pushed=True, **where, **shown(body))
        return 0
