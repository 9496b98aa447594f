"""The outbox and its delivery worker against the emulator's fault switches."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from backend.db import session_scope
from backend.models import OutboxMessage, OutboxStatus, utcnow
from backend.services import outbox
from backend.services.outbox import OutgoingContent
from tests.support.org import APPCHAT_ID, WEBHOOK_KEY

LATER = timedelta(hours=2)


def _queue_text(stack, users, text="明天上午九点开会", key=None):
    with session_scope(stack.engine) as session:
        rows = outbox.enqueue_to_users(
            session,
            user_ids=users,
            content=OutgoingContent("text", {"content": text}),
            dedupe_key=key,
        )
        return [row.id for row in rows]


def _messages(stack, **params) -> list[dict]:
    return stack.emulator_call("GET", "/_emulator/messages", params=params).json()["messages"]


def _calls(stack, path_end: str) -> list[dict]:
    calls = stack.emulator_call("GET", "/_emulator/calls").json()["calls"]
    return [c for c in calls if c["path"].endswith(path_end)]


def _statuses(stack) -> list[str]:
    with Session(stack.engine) as session:
        return [row.status for row in session.exec(select(OutboxMessage)).all()]


def _set_faults(stack, **faults):
    stack.emulator_call("PUT", "/_emulator/faults", json=faults)


def _png(size=(40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_queued_text_is_delivered_once(stack):
    _queue_text(stack, ["alice"])
    assert stack.deliver().sent == 1
    assert stack.deliver().sent == 0
    received = [m for m in _messages(stack, userid="alice") if m["channel"] == "app"]
    assert [m["content"] for m in received] == ["明天上午九点开会"]
    assert _statuses(stack) == ["sent"]


def test_same_dedupe_key_queues_once(stack):
    _queue_text(stack, ["alice"], key="notice:1")
    _queue_text(stack, ["alice"], key="notice:1")
    assert len(_statuses(stack)) == 1


@pytest.mark.parametrize(
    "fault",
    [{"api_down": True}, {"http_5xx": True}, {"busy": True}],
    ids=["api-down", "http-5xx", "busy"],
)
def test_outage_loses_nothing_and_recovery_sends_once(stack, fault):
    _queue_text(stack, ["alice", "bob"])
    _set_faults(stack, **fault)
    stats = stack.deliver()
    assert stats.sent == 0 and stats.retried == 1
    assert _statuses(stack) == ["pending"]
    assert stack.deliver().sent == 0  # not due yet: backing off
    _set_faults(stack, api_down=False, http_5xx=False, busy=False)
    assert stack.deliver(now=utcnow() + LATER).sent == 1
    assert stack.deliver(now=utcnow() + LATER * 2).sent == 0
    for userid in ("alice", "bob"):
        assert len([m for m in _messages(stack, userid=userid) if m["channel"] == "app"]) == 1


def test_expired_token_is_refreshed_transparently(stack):
    _queue_text(stack, ["alice"])
    assert stack.deliver().sent == 1
    stack.emulator_call("POST", "/_emulator/expire-tokens")
    _queue_text(stack, ["alice"], text="第二条通知")
    assert stack.deliver().sent == 1
    assert len(_calls(stack, "gettoken")) >= 2
    assert [c["errcode"] for c in _calls(stack, "message/send")].count(42001) == 1


def test_slow_api_within_timeout_still_delivers_once(stack):
    _set_faults(stack, slow_seconds=1.0)
    _queue_text(stack, ["alice"])
    assert stack.deliver().sent == 1
    _set_faults(stack, slow_seconds=0)
    assert len([m for m in _messages(stack, userid="alice") if m["channel"] == "app"]) == 1


def test_worker_that_died_mid_send_is_taken_over_after_its_lease(stack):
    row_ids = _queue_text(stack, ["alice"])
    with session_scope(stack.engine) as session:
        assert outbox.claim_due(session) == row_ids  # this worker then "dies"
    assert stack.deliver().sent == 0
    assert stack.deliver(now=utcnow() + timedelta(minutes=5)).sent == 1


def test_more_than_1000_recipients_go_out_in_batches(stack):
    users = [{"userid": f"u{i:05d}", "name": f"用户{i}", "department": [2]} for i in range(2500)]
    directory = stack.emulator_call("GET", "/_emulator/directory").json()
    directory["users"] = directory["users"] + users
    stack.emulator_call("PUT", "/_emulator/directory", json=directory)
    stack.emulator_call("POST", "/_emulator/reset")
    _queue_text(stack, [u["userid"] for u in users], text="请于本周五前完成填报")
    while stack.deliver().sent:
        pass
    sends = _calls(stack, "message/send")
    assert len(sends) == 3
    assert all(c["errcode"] == 0 for c in sends)
    assert len(_messages(stack, userid="u02499")) == 1


def test_group_robot_gets_markdown_image_and_file(stack):
    png = _png()
    with session_scope(stack.engine) as session:
        for content in (
            OutgoingContent("markdown", {"content": "**本周履职概况**\n> 填报率 96.5%"}),
            OutgoingContent("image", {}, png, "weekly.png"),
            OutgoingContent("file", {}, b"%PDF-1.4 report", "月度报告.pdf"),
        ):
            outbox.enqueue_to_group(session, channel="webhook", target=WEBHOOK_KEY, content=content)
    assert stack.deliver().sent == 3
    posts = _messages(stack, robot=WEBHOOK_KEY)
    assert [p["msgtype"] for p in posts] == ["markdown", "image", "file"]
    image = stack.emulator_call("GET", posts[1]["media_url"]).content
    assert image == png
    assert posts[2]["filename"] == "月度报告.pdf"


def test_webhook_image_over_2mb_fails_without_retrying(stack):
    big = base64.b64encode(bytes(range(256)) * 9000)  # ~3 MB, not a valid image either
    with session_scope(stack.engine) as session:
        outbox.enqueue_to_group(
            session,
            channel="webhook",
            target=WEBHOOK_KEY,
            content=OutgoingContent("image", {}, big, "big.png"),
        )
    stats = stack.deliver()
    assert stats.failed == 1
    assert _statuses(stack) == [OutboxStatus.FAILED]


def test_app_chat_gets_text_and_image(stack):
    with session_scope(stack.engine) as session:
        for content in (
            OutgoingContent("text", {"content": "本周填报提醒"}),
            OutgoingContent("image", {}, _png(), "chart.png"),
        ):
            outbox.enqueue_to_group(session, channel="appchat", target=APPCHAT_ID, content=content)
    assert stack.deliver().sent == 2
    assert [p["msgtype"] for p in _messages(stack, chatid=APPCHAT_ID)] == ["text", "image"]


def test_unknown_robot_key_fails_permanently(stack):
    with session_scope(stack.engine) as session:
        outbox.enqueue_to_group(
            session,
            channel="webhook",
            target="no-such-key",
            content=OutgoingContent("text", {"content": "测试"}),
        )
    assert stack.deliver().failed == 1
    with Session(stack.engine) as session:
        row = session.exec(select(OutboxMessage)).one()
    assert row.last_error.startswith("93000")
