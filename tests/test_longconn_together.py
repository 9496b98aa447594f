"""SQLite: messages that reach the bot at the same moment share one transaction, and each one
is still answered on its own terms (its own reply, a repeat's stored reply, a failure alone)."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime

import pytest
from prometheus_client import REGISTRY
from sqlmodel import Session, select

from backend.chat.inbox import SORRY
from backend.models import Conversation
from tests.support.chat import Member

MONDAY = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
TOGETHER = "lvzhi_longconn_answered_together"
HOLD = 0.8  # seconds the test holds the write lock while the messages arrive


@pytest.fixture
def bot_stack(sqlite_stack):
    """The SQLite stack with members on the long connection."""
    sqlite_stack.use_channel("longconn")
    sqlite_stack.clock.frozen = MONDAY
    return sqlite_stack


def _path(stack) -> str:
    return stack.engine.url.database


@contextmanager
def _write_lock_held(stack):
    """Hold SQLite's write lock (as a long import would), then let go."""
    connection = sqlite3.connect(_path(stack), timeout=5, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.rollback()
        connection.close()


def _arriving_together(stack, bodies: list[dict]) -> list[dict]:
    """Deliver the frames while the write lock is held, so the bot finds them all waiting."""
    socket = stack.emulator.bot_socket
    with ThreadPoolExecutor(len(bodies)) as pool:
        with _write_lock_held(stack):
            futures = []
            for body in bodies:
                futures.append(pool.submit(socket.deliver, "aibot_msg_callback", body, wait=15))
                time.sleep(0.05)  # in this order; the first one waits for the lock on the loop
            time.sleep(HOLD)
        return [future.result() for future in futures]


def _reply(result: dict) -> dict:
    """Return the bot's reply to a delivered frame (as the emulator recorded it)."""
    assert result["replies"], result["errors"]
    return result["replies"][0]


def _text(result: dict) -> str:
    return _reply(result)["content"]


def _together() -> tuple[float, float]:
    """Return (batches, messages) the long connection has answered so far."""
    count = REGISTRY.get_sample_value(f"{TOGETHER}_count") or 0.0
    return count, REGISTRY.get_sample_value(f"{TOGETHER}_sum") or 0.0


def _forms(stack) -> dict[str, str]:
    with Session(stack.engine) as session:
        return {row.wecom_userid: row.form for row in session.exec(select(Conversation))}


@contextmanager
def _refusing_forms_of(stack, userid: str):
    """Make the database refuse to store a form for one member (a failure only it meets)."""
    connection = sqlite3.connect(_path(stack), timeout=5, isolation_level=None)
    connection.execute(
        f"CREATE TRIGGER refuse_form BEFORE INSERT ON conversation "
        f"WHEN NEW.wecom_userid = '{userid}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    try:
        yield
    finally:
        connection.execute("DROP TRIGGER refuse_form")
        connection.close()


def test_messages_arriving_together_share_a_transaction_each_with_its_own_answer(bot_stack):
    socket = bot_stack.emulator.bot_socket
    batches, messages = _together()
    texts = [("alice", "填报"), ("bob", "帮助"), ("carol", "谁管 食品"), ("dave", "今天")]
    results = _arriving_together(bot_stack, [socket.message_body(u, t) for u, t in texts])
    replies = {_reply(result)["userid"]: _text(result) for result in results}
    assert "哪天的工作" in replies["alice"]
    assert "履职助手可以为您做这些事" in replies["bob"]
    assert "与“食品”有关的职责" in replies["carol"]
    assert "今天（11月23日–11月23日）还没有记录" in replies["dave"]
    now_batches, now_messages = _together()
    assert now_messages - messages == len(texts)
    assert now_batches - batches < len(texts)  # some of them shared a transaction
    assert _forms(bot_stack) == {"alice": "duty_entry"}  # what the batch wrote is kept


def test_a_repeat_among_them_gets_its_first_reply_and_the_others_theirs(bot_stack):
    socket = bot_stack.emulator.bot_socket
    first = socket.message_body("alice", "填报")
    answered = _text(socket.deliver("aibot_msg_callback", first, wait=15))
    alice = Member(bot_stack.emulator.url, "alice")
    assert "哪项职责" in alice.says("好")[0]
    bodies = [
        socket.message_body("bob", "帮助"),
        first,  # WeCom delivers alice's first message again
        socket.message_body("carol", "填报"),
        socket.message_body("dave", "填报"),
    ]
    results = _arriving_together(bot_stack, bodies)
    assert _text(results[1]) == answered
    assert all("哪天的工作" in _text(result) for result in results[2:])
    assert _forms(bot_stack) == {user: "duty_entry" for user in ("alice", "carol", "dave")}
    reply = alice.says("1")[0]  # the repeat did not start alice's form over
    assert "重点任务" in reply or "任务类型" in reply


def test_a_message_that_fails_among_them_fails_alone(bot_stack):
    socket = bot_stack.emulator.bot_socket
    carol = socket.message_body("carol", "填报")
    with _refusing_forms_of(bot_stack, "carol"):
        bodies = [socket.message_body("bob", "帮助"), carol, socket.message_body("dave", "填报")]
        results = _arriving_together(bot_stack, bodies)
    assert SORRY in _text(results[1])
    assert "哪天的工作" in _text(results[2])
    assert _forms(bot_stack) == {"dave": "duty_entry"}
    # Carol's message was not recorded, so its next delivery is answered afresh.
    assert "哪天的工作" in _text(socket.deliver("aibot_msg_callback", carol, wait=15))
    assert _forms(bot_stack) == {"carol": "duty_entry", "dave": "duty_entry"}
