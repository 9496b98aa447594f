"""How the long connection answers members' messages: together on SQLite, in threads on PostgreSQL.

SQLite has one writer and the bot is its only busy one, so messages are answered on the
connection's own event loop: those that arrived together (one member's message each, since a
member's next one waits for the last's answer) share one write transaction and one commit.
Handing them to a thread instead cost a quarter of the throughput, as the loop and the worker
pass the GIL back and forth at every SQLite call. A batch waiting for the write lock holds the
loop for at most the busy timeout (30 s), less than the two missed heartbeats (60 s) after
which the connection counts as dead. PostgreSQL's row locks let members' messages run side by
side, and its round trips would stall the loop, so there each message goes to a thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from backend.chat.inbox import SORRY, process_message, process_together
from backend.common.metrics import instruments
from backend.db import is_sqlite
from backend.runtime import Runtime
from bot.aibot_frames import reply_body
from bot.messages import Inbound
from bot.replies import Reply, TextReply

log = logging.getLogger(__name__)

POSTGRES_WORKERS = 4  # threads answering messages on PostgreSQL
MOST_TOGETHER = 32  # messages sharing one transaction at most


def render(reply: Reply, message: Inbound, now: datetime) -> str:
    """Render the first reply as a reply frame's body (stored for repeats of the message)."""
    body = reply_body(reply, message=message)
    return json.dumps(body, ensure_ascii=False) if body else ""


class Answerer:
    """Answer one message at a time, in the calling thread (the base of both ways)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def answer(self, message: Inbound) -> str:
        """Return the reply frame's body for the message ("" for none), handling it once."""
        return self.answer_one(message)

    def close(self) -> None:
        """Let go of what answering holds."""

    def answer_one(self, message: Inbound) -> str:
        """Answer one message in its own transaction; on failure, an apology (not recorded)."""
        now = self.runtime.clock()
        try:
            return process_message(
                self.runtime.engine,
                message,
                self.runtime.dispatch,
                corp_id="",
                now=now,
                render=render,
                one_at_a_time=True,
            )
        except Exception:  # not recorded, so WeCom's or the member's resend is answered afresh
            log.exception("long-connection message %s failed", message.dedupe_key)
            instruments().callback_failures.inc()
            return render(TextReply(SORRY), message, now)


class TogetherAnswerer(Answerer):
    """SQLite: answer on the loop, the messages waiting at the same moment in one transaction."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self._waiting: list[tuple[Inbound, asyncio.Future[str]]] = []

    async def answer(self, message: Inbound) -> str:
        """Queue the message for the next batch and wait for its reply."""
        reply: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting.append((message, reply))
        if len(self._waiting) == 1:
            # After the callbacks already due, which hold the other frames read with this one.
            asyncio.get_running_loop().call_soon(self._answer_waiting)
        return await reply

    def _answer_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for start in range(0, len(waiting), MOST_TOGETHER):
            batch = waiting[start : start + MOST_TOGETHER]
            bodies = self._answer_batch([message for message, _ in batch])
            for (_, reply), body in zip(batch, bodies, strict=True):
                if not reply.done():  # its frame's task was cancelled (the connection closed)
                    reply.set_result(body)

    def _answer_batch(self, messages: list[Inbound]) -> list[str]:
        runtime, together = self.runtime, instruments().answered_together
        if len(messages) > 1:
            bodies = process_together(
                runtime.engine, messages, runtime.dispatch, render=render, now=runtime.clock()
            )
            if bodies is not None:
                together.observe(len(messages))
                return bodies
        for _ in messages:
            together.observe(1)
        return [self.answer_one(message) for message in messages]


class ThreadedAnswerer(Answerer):
    """PostgreSQL: answer each message in one of a few threads."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self._workers = ThreadPoolExecutor(POSTGRES_WORKERS, thread_name_prefix="longconn")

    async def answer(self, message: Inbound) -> str:
        """Answer the message in a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers, self.answer_one, message)

    def close(self) -> None:
        """Stop the threads (a message in hand is finished)."""
        self._workers.shutdown(wait=False)


def answerer_for(runtime: Runtime) -> Answerer:
    """Return how this database's messages are best answered."""
    if is_sqlite(runtime.engine):
        return TogetherAnswerer(runtime)
    return ThreadedAnswerer(runtime)
