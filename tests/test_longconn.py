"""The intelligent bot's long connection against the emulator over a real wss:// socket:
reconnection mid-form, one active process, a replaced connection, heartbeats, slow acks, frames."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
import requests
from sqlmodel import Session, func, select

from backend.models import DutyEntry
from bot.aibot_frames import frame_to_inbound, reply_body
from bot.replies import TextReply
from scheduled import lease
from scheduled.longconn import LEASE, BotThread
from tests.support.chat import Member
from tests.support.stack import TEST_WECOM

CHANNELS = ("longconn",)
ALICE = {"userid": "alice"}
MONDAY = datetime.fromisoformat("2026-11-23T10:00:00+08:00")


def _entries(stack) -> int:
    with Session(stack.engine) as session:
        return session.exec(select(func.count()).select_from(DutyEntry)).one()


def _bot(stack) -> dict:
    return stack.emulator_call("GET", "/_emulator/bot").json()


def _run(coroutine):
    """Run a coroutine on a loop of its own (the browser tests keep one running in this thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=30)


def _wait(condition, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


def test_a_dropped_connection_mid_form_loses_nothing(stack):
    stack.clock.frozen = MONDAY
    alice = Member(stack.emulator.url, "alice")
    alice.says("填报")
    assert "哪项职责" in alice.says("好")[0]
    before = _bot(stack)["subscriptions"]
    assert stack.emulator_call("POST", "/_emulator/bot/drop").json()["dropped"]
    _wait(lambda: _bot(stack)["subscriptions"] > before and _bot(stack)["connected"], "reconnect")
    reply = alice.says("1")[0]  # the form goes on where it was
    assert "重点任务" in reply or "任务类型" in reply


def test_a_message_while_disconnected_is_not_answered_and_the_resend_is(stack):
    stack.clock.frozen = MONDAY
    alice = Member(stack.emulator.url, "alice")
    alice.says("填报")
    stack.emulator_call("PUT", "/_emulator/config", json={"bot_reply_wait": 0.5})
    try:
        stack.emulator_call("POST", "/_emulator/bot/drop")
        lost = stack.emulator_call(
            "POST", "/_emulator/say", json={"userid": "alice", "text": "好"}
        ).json()
    finally:
        stack.emulator_call("PUT", "/_emulator/config", json={"bot_reply_wait": 10.0})
    assert lost["errors"]  # not connected: WeCom would not have delivered it either
    stack.wait_for_bot()
    assert "哪项职责" in alice.says("好")[0]


def test_only_the_lease_holder_connects_and_a_second_takes_over(stack):
    stack.clock.frozen = MONDAY
    first_count = _bot(stack)["subscriptions"]
    assert stack.bot is not None  # the wiped database forgot its lease: it holds it again
    assert lease.try_acquire(stack.engine, holder=stack.bot.holder, seconds=20, name=LEASE)
    second = stack.new_bot().start()
    try:
        time.sleep(1.5)
        assert _bot(stack)["subscriptions"] == first_count  # the second one waits its turn
        assert "填报" in Member(stack.emulator.url, "alice").says("帮助")[0]
        assert stack.bot is not None
        stack.bot.stop()  # the holder stops and gives the lease up
        stack.bot = None
        _wait(
            lambda: _bot(stack)["subscriptions"] > first_count and _bot(stack)["connected"],
            "the second process takes over",
        )
        assert "11月23日" in Member(stack.emulator.url, "alice").says("今天")[0]
    finally:
        stack.bot = second  # the stack stops it at the end of the session


def test_a_replaced_connection_steps_back(stack):
    import ssl

    import websockets

    stack.clock.frozen = MONDAY
    settings = stack.settings
    secret = settings.WECOM_BOT_SECRET
    count = _bot(stack)["subscriptions"]

    async def intruder() -> dict:
        context = ssl.create_default_context(cafile=settings.WECOM_BOT_CA_FILE)
        async with websockets.connect(settings.WECOM_BOT_WS_URL, ssl=context) as socket:
            await socket.send(
                json.dumps(
                    {
                        "cmd": "aibot_subscribe",
                        "headers": {"req_id": "aibot_subscribe_1"},
                        "body": {
                            "bot_id": settings.WECOM_BOT_ID,
                            "secret": secret,
                        },
                    }
                )
            )
            return json.loads(await socket.recv())

    ack = _run(intruder())
    assert ack["errcode"] == 0 and ack["headers"]["req_id"] == "aibot_subscribe_1"
    assert _bot(stack)["subscriptions"] == count + 1
    time.sleep(0.2)  # the replaced bot pauses instead of taking the connection straight back
    assert _bot(stack)["subscriptions"] == count + 1
    stack.wait_for_bot()  # then it comes back


def test_slow_acks_still_deliver_the_reply(stack):
    stack.emulator_call("PUT", "/_emulator/bot", json={"ack_delay": 1.5})
    try:
        assert "填报" in Member(stack.emulator.url, "alice").says("帮助")[0]
    finally:
        stack.emulator_call("PUT", "/_emulator/bot", json={"ack_delay": 0})


def test_a_wrong_secret_is_refused():

    from bot.emulator.longconn import BotSocket

    socket = BotSocket("bot-a", "right-secret", lambda **fields: fields).start()
    try:

        async def subscribe(secret: str) -> dict:
            import ssl

            import websockets

            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            async with websockets.connect(socket.url, ssl=context) as client:
                body = {"bot_id": "bot-a", "secret": secret}
                frame = {"cmd": "aibot_subscribe", "headers": {"req_id": "s1"}, "body": body}
                await client.send(json.dumps(frame))
                return json.loads(await client.recv())

        assert _run(subscribe("wrong"))["errcode"] != 0
        assert _run(subscribe("right-secret"))["errcode"] == 0
    finally:
        socket.stop()


@pytest.mark.parametrize(
    "frame",
    [
        {},
        {"cmd": "aibot_msg_callback"},
        {"cmd": "aibot_msg_callback", "body": "x"},
        {"cmd": "aibot_msg_callback", "body": {"msgid": "1", "msgtype": "text"}},
        {"cmd": "aibot_msg_callback", "body": {"from": {"userid": "a"}, "msgtype": "text"}},
        {"cmd": "aibot_msg_callback", "body": {"msgid": "1", "from": "a", "msgtype": "text"}},
        {
            "cmd": "aibot_msg_callback",
            "body": {"msgid": "1", "from": {"userid": "a"}, "msgtype": "image"},
        },
        {
            "cmd": "aibot_event_callback",
            "body": {"msgid": "1", "from": {"userid": "a"}, "event": "x"},
        },
    ],
)
def test_odd_frames_become_nothing(frame):
    assert frame_to_inbound(frame) is None


def test_frames_become_the_callbacks_messages():
    text = frame_to_inbound(
        {
            "cmd": "aibot_msg_callback",
            "headers": {"req_id": "r1"},
            "body": {
                "msgid": "m1",
                "chattype": "group",
                "chatid": "c1",
                "from": {"userid": "alice"},
                "msgtype": "text",
                "text": {"content": "@履职助手  本周汇总 "},
            },
        }
    )
    assert text is not None and text.user_id == "alice" and text.content == "本周汇总"
    assert text.dedupe_key == "msg:aibot:m1"
    body = reply_body(TextReply("好的"), message=text)
    assert body is not None and body["msgtype"] == "stream" and body["stream"]["finish"] is True
    assert body["stream"]["content"] == "好的"


def _bot_process(stack, log: Path) -> subprocess.Popen:
    """Start `python -m scheduled.longconn` (what `lvzhi bot` runs) against the stack."""
    settings = stack.settings
    env = {
        **{k: str(v) for k, v in TEST_WECOM.items()},
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": settings.DATABASE_URL,
        "LVZHI_CHANNEL": "longconn",
        "WECOM_API_BASE": settings.WECOM_API_BASE,
        "WECOM_BOT_WS_URL": settings.WECOM_BOT_WS_URL,
        "WECOM_BOT_CA_FILE": settings.WECOM_BOT_CA_FILE,
        "LVZHI_BOT_LEASE_SECONDS": "6",
    }
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "scheduled.longconn"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
        )


def test_two_bot_processes_only_one_acts(stack, tmp_path):
    assert stack.bot is not None
    stack.bot.stop()  # the stack's own bot steps aside for two real processes
    stack.bot = None
    count = _bot(stack)["subscriptions"]
    logs = [tmp_path / f"bot{n}.log" for n in (1, 2)]
    processes = [_bot_process(stack, log) for log in logs]
    try:
        _wait(lambda: _bot(stack)["subscriptions"] == count + 1, "one process connects", 30)
        time.sleep(2.5)
        assert _bot(stack)["subscriptions"] == count + 1  # the other waits for the lease
        assert "填报" in Member(stack.emulator.url, "alice").says("帮助")[0]
        _wait(lambda: any("holding the long" in log.read_text() for log in logs), "a holder")
        holder = next(
            process
            for process, log in zip(processes, logs, strict=True)
            if "holding the long connection" in log.read_text()
        )
        holder.send_signal(signal.SIGTERM)
        holder.wait(timeout=15)
        _wait(lambda: _bot(stack)["subscriptions"] == count + 2, "the other one takes over")
        _wait(lambda: _bot(stack)["connected"], "the other one connects")
        assert "填报" in Member(stack.emulator.url, "alice").says("帮助")[0]
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=15)
        stack.use_channel("longconn")  # the stack's own bot again, for the tests after this one


def _group_messages(stack, chatid: str) -> list[dict]:
    answer = stack.emulator_call("GET", "/_emulator/messages", params={"chatid": chatid})
    return answer.json()["messages"]


def test_a_group_mention_is_answered_in_the_group_and_leaves_the_form_alone(stack):
    stack.clock.frozen = MONDAY
    alice, dave = Member(stack.emulator.url, "alice"), Member(stack.emulator.url, "dave")
    group = "wrMarketGroup01"
    alice.says("填报")
    who = alice.says_in_group(group, "谁管 食品")
    assert len(who) == 1 and "与“食品”有关的职责" in who[0] and "县市场监督管理局" in who[0]
    assert "填报、修改、请假请在和我的单聊里发送" in alice.says_in_group(group, "填报")[0]
    assert "已" in dave.says_in_group(group, "本周汇总")[0]  # the head's request is queued
    shown = _group_messages(stack, group)
    assert [m["direction"] for m in shown] == ["user", "bot"] * 3
    assert shown[0]["content"] == "谁管 食品" and shown[0]["sender"] == "alice"
    assert "哪项职责" in alice.says("好")[0]  # the one-to-one form went on untouched


def test_groups_hear_only_the_long_connection(stack):
    stack.use_channel("callback")
    try:
        response = requests.post(
            stack.emulator.url + "/_emulator/say",
            json={"userid": "alice", "text": "谁管 食品", "chatid": "wrMarketGroup01"},
            timeout=10,
        )
        assert response.status_code == 400
    finally:
        stack.use_channel("longconn")


def test_the_bot_keeps_dialling_until_wecom_answers(stack, tmp_path):
    from backend.migrate import upgrade_database
    from backend.runtime import build_runtime
    from bot.emulator.longconn import BotSocket
    from tests.support.processes import free_port

    port = free_port()
    ca_file = tmp_path / "late-ca.pem"
    late = BotSocket(stack.settings.WECOM_BOT_ID, stack.settings.WECOM_BOT_SECRET, _keep)
    ca_file.write_bytes(late.certificate)
    settings = stack.settings.model_copy(
        update={
            "DATABASE_URL": f"sqlite:///{tmp_path / 'late.db'}",
            "WECOM_BOT_WS_URL": f"wss://127.0.0.1:{port}",
            "WECOM_BOT_CA_FILE": str(ca_file),
        }
    )
    runtime = build_runtime(settings)
    upgrade_database(runtime.engine)
    bot = BotThread(runtime, reconnect_ms=100).start()
    try:
        time.sleep(1.0)  # nothing listens yet: connection refused, again and again
        late.start(port)
        _wait(lambda: late.connected, "the bot connects once the server is there")
    finally:
        bot.stop()
        late.stop()
        runtime.engine.dispose()


def _keep(**fields) -> dict:
    return fields


def test_pushes_reach_a_member_or_a_group_and_odd_frames_are_refused():
    import ssl

    import websockets

    from bot.emulator.longconn import BotSocket

    shown: list[dict] = []
    socket = BotSocket(
        "bot-b", "push-secret", lambda **fields: shown.append(fields) or fields,
        is_member=lambda chatid: chatid == "alice",
    ).start()  # fmt: skip

    async def push() -> list[dict]:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        async with websockets.connect(socket.url, ssl=context) as client:
            frames = [
                {"cmd": "aibot_subscribe", "body": {"bot_id": "bot-b", "secret": "push-secret"}},
                {"cmd": "aibot_send_msg", "body": {"chatid": "alice", "msgtype": "markdown",
                                                   "markdown": {"content": "**提醒**"}}},
                {"cmd": "aibot_send_msg", "body": {"chatid": "wrGroup", "msgtype": "markdown",
                                                   "markdown": {"content": "周报"}}},
                {"cmd": "aibot_send_msg", "body": {"msgtype": "markdown"}},
                {"cmd": "aibot_respond_msg", "body": {"msgtype": "stream"}},
                {"cmd": "no_such_command"},
            ]  # fmt: skip
            acks = []
            for number, frame in enumerate(frames):
                await client.send(json.dumps({**frame, "headers": {"req_id": f"r{number}"}}))
                acks.append(json.loads(await client.recv()))
            return acks

    try:
        acks = _run(push())
    finally:
        socket.stop()
    assert [ack["errcode"] for ack in acks[:3]] == [0, 0, 0]
    assert all(ack["errcode"] != 0 for ack in acks[3:])
    assert [ack["headers"]["req_id"] for ack in acks] == [f"r{n}" for n in range(6)]
    assert shown[0]["userid"] == "alice" and shown[0]["content"] == "**提醒**"
    assert shown[1]["chatid"] == "wrGroup" and len(shown) == 2
