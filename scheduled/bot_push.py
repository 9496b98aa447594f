"""Deliver the outbox's "bot" rows over the long connection (`aibot_send_msg`).

Only the process holding the long connection can send them, so `LongConnection` runs this
loop while it is open: once the SDK says the connection is authenticated it claims due "bot"
rows (the scheduler's worker never does), pushes each with the SDK's `send_message` (which
waits for WeCom's ack) and records the outcome with the same back-off as every other row: a
lost connection or a missing ack is retried, an errcode in the ack is recorded. An ack lost
after WeCom took the push means it is pushed again (at least once, as for the HTTP API).

It also remembers the group chats where members @-mention the bot, so an administrator can
find a group's chatid in the console (and in this log) to make it a department's route.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from aibot import WSClient
from sqlalchemy.exc import SQLAlchemyError

from backend.db import reading, writing
from backend.models import OutboxMessage
from backend.org.service import note_bot_group
from backend.outbox import service as outbox
from backend.outbox.delivery import record_failure, record_sent
from backend.runtime import Runtime
from bot.aibot_frames import chat_of, frame_to_inbound
from bot.aibot_push import push_body, push_error

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # how often due rows are looked for while the connection is up
CLAIM_BATCH = 5  # rows leased at a time: few, since a lost connection fails them one by one
STOP_WAIT = 7.0  # seconds closing waits for a push in flight (the SDK's ack timeout is 5 s)
GROUP_NOTE_SECONDS = 600  # a group heard again is noted at most this often


class BotPushes:
    """The push loop of one long connection, and its note of the groups that @ the bot."""

    def __init__(self, runtime: Runtime, client: WSClient, *, poll: float = POLL_SECONDS):
        self.runtime, self.client, self.poll = runtime, client, poll
        self._ready = asyncio.Event()  # authenticated, and not disconnected since
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._groups_noted: dict[str, float] = {}
        client.on("authenticated", self._ready.set)
        client.on("disconnected", self._lost)
        client.on("message", self._note_group)

    def start(self) -> None:
        """Start the loop (it waits for the connection)."""
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """End the loop, letting a push in flight finish or fail first."""
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, STOP_WAIT)

    def _lost(self, reason: str = "") -> None:
        self._ready.clear()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            claimed: list[int] = []
            if self._ready.is_set() and self.client.is_connected:
                claimed = await self._claim()
            for row_id in claimed:  # claimed rows are all tried: none waits out its lease
                await self._push_safely(row_id)
            if not claimed:
                await self._pause()

    async def _push_safely(self, row_id: int) -> None:
        """Push one row; whatever goes wrong (a database hiccup, a row purged meanwhile) is
        logged and the loop goes on, the row being taken up again when its lease ends."""
        try:
            await self._push(row_id)
        except Exception:
            log.exception("bot push of outbox row %s failed", row_id)

    async def _pause(self) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self.poll)

    async def _claim(self) -> list[int]:
        try:
            return await asyncio.to_thread(self._claim_rows)
        except SQLAlchemyError:
            log.exception("bot pushes: the database did not answer")
            return []

    def _claim_rows(self) -> list[int]:
        with reading(self.runtime.engine) as session:
            if not outbox.has_due(session, bot=True):
                return []
        with writing(self.runtime.engine) as session:
            return outbox.claim_due(session, limit=CLAIM_BATCH, bot=True)

    def _load(self, row_id: int) -> OutboxMessage:
        with reading(self.runtime.engine) as session:
            return session.get_one(OutboxMessage, row_id)

    async def _push(self, row_id: int) -> None:
        """Push one claimed row and record how it went."""
        engine = self.runtime.engine
        try:
            row = await asyncio.to_thread(self._load, row_id)
            chatid = json.loads(row.target)["chatid"]
            body = push_body(row.msgtype, json.loads(row.payload))
        except ValueError as exc:  # content the bot cannot push: recorded, never retried
            await asyncio.to_thread(record_failure, engine, row_id, "bot", exc)
            return
        try:
            ack = await self.client.send_message(chatid, body)
        except (RuntimeError, TimeoutError) as exc:  # closed, lost, no ack, or an errcode
            await asyncio.to_thread(record_failure, engine, row_id, "bot", push_error(exc))
            return
        result = {"errcode": ack.get("errcode", 0), "req_id": ack.get("headers", {}).get("req_id")}
        await asyncio.to_thread(record_sent, engine, row_id, "bot", result)

    async def _note_group(self, frame: dict[str, Any]) -> None:
        """Remember (and log) a group chat a member @-mentioned the bot in."""
        kind, chatid = chat_of(frame)
        if kind != "group" or not chatid or len(chatid) > 200:
            return
        message = frame_to_inbound(frame)
        userid = message.user_id[:64] if message is not None else ""
        now = time.monotonic()
        if now - self._groups_noted.get(chatid, -GROUP_NOTE_SECONDS) < GROUP_NOTE_SECONDS:
            return
        if chatid not in self._groups_noted:
            log.info("group chat %s has the bot (@-mentioned by %s): its chatid", chatid, userid)
        self._groups_noted[chatid] = now
        try:
            await asyncio.to_thread(self._store_group, chatid, userid)
        except SQLAlchemyError:
            log.exception("group chat %s not noted", chatid)

    def _store_group(self, chatid: str, userid: str) -> None:
        with writing(self.runtime.engine) as session:
            note_bot_group(session, chatid=chatid, userid=userid, now=self.runtime.clock())
