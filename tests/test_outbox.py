"""The outbox and its delivery worker against the emulator's fault switches."""

from __future__ import annotations

import base64
import io
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from backend.db import db_now, reading, writing
from backend.models import Notice, NoticeRecipient, OutboxMessage, OutboxStatus, Staff, utcnow
from backend.outbox import purge
from backend.outbox import service as outbox
from backend.outbox.delivery import build_client, deliver_due
from backend.outbox.service import OutgoingContent
from backend.schedule import notices
from scheduled.jobs import HOUSEKEEPING, purge_outbox
from tests.support.org import APPCHAT_ID, WEBHOOK_KEY

LATER = timedelta(hours=2)


def _queue_text(stack, users, text="明天上午九点开会", key=None):
    with writing(stack.engine) as session:
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
    with reading(stack.engine) as session:
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
    with writing(stack.engine) as session:
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
    with writing(stack.engine) as session:
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
    with writing(stack.engine) as session:
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
    with writing(stack.engine) as session:
        for content in (
            OutgoingContent("text", {"content": "本周填报提醒"}),
            OutgoingContent("image", {}, _png(), "chart.png"),
        ):
            outbox.enqueue_to_group(session, channel="appchat", target=APPCHAT_ID, content=content)
    assert stack.deliver().sent == 2
    assert [p["msgtype"] for p in _messages(stack, chatid=APPCHAT_ID)] == ["text", "image"]


def test_unknown_robot_key_fails_permanently(stack):
    with writing(stack.engine) as session:
        outbox.enqueue_to_group(
            session,
            channel="webhook",
            target="no-such-key",
            content=OutgoingContent("text", {"content": "测试"}),
        )
    assert stack.deliver().failed == 1
    with reading(stack.engine) as session:
        row = session.exec(select(OutboxMessage)).one()
    assert row.last_error.startswith("93000")


def test_due_times_and_claims_are_on_the_databases_clock(stack):
    row_ids = _queue_text(stack, ["alice"])
    with writing(stack.engine) as session:
        assert outbox.claim_due(session) == row_ids
    lease = outbox.LEASE.total_seconds()
    with reading(stack.engine) as session:
        due, leased = session.execute(
            select(
                OutboxMessage.next_attempt_at <= db_now(),
                OutboxMessage.lease_until.between(db_now(lease - 30), db_now(lease)),
            )
        ).one()
    assert due and leased  # whatever this host's clock says, the database's decides


def _impatient_client(stack, seconds: float):
    """A delivery client that gives up on WeCom after `seconds` (its token already fetched)."""
    client = build_client(stack.settings.model_copy(update={"LVZHI_HTTP_TIMEOUT": seconds}),
                          stack.engine)  # fmt: skip
    client.access_token()
    return client


def _app_messages(stack, userid: str) -> list[dict]:
    return [m for m in _messages(stack, userid=userid) if m["channel"] == "app"]


def test_resend_after_a_timeout_is_not_delivered_twice(stack):
    client = _impatient_client(stack, 0.3)
    _queue_text(stack, ["alice"])
    _set_faults(stack, slow_seconds=1.0)  # WeCom takes the message but answers too late
    assert deliver_due(stack.engine, client).retried == 1
    time.sleep(1.2)
    _set_faults(stack, slow_seconds=0)
    assert deliver_due(stack.engine, client, now=utcnow() + LATER).sent == 1
    assert [c["errcode"] for c in _calls(stack, "message/send")] == [0, 0]  # both arrived
    assert len(_app_messages(stack, "alice")) == 1
    assert _statuses(stack) == [OutboxStatus.SENT]


def test_every_app_message_asks_for_wecoms_duplicate_check(stack):
    stack.client.send_text(["alice"], "同一条通知")
    stack.client.send_text(["alice", "bob"], "同一条通知")
    stack.client.send_text(["alice"], "另一条通知")
    assert [m["content"] for m in _app_messages(stack, "alice")] == ["同一条通知", "另一条通知"]
    assert len(_app_messages(stack, "bob")) == 1


def test_emulator_delivers_repeats_without_the_duplicate_check(stack):
    body = {"touser": "alice", "msgtype": "text", "agentid": stack.settings.WECOM_AGENT_ID,
            "text": {"content": "没有去重"}}  # fmt: skip
    stack.client.call("POST", "message/send", json=body)
    stack.client.call("POST", "message/send", json=body)
    assert len(_app_messages(stack, "alice")) == 2


def test_resent_image_reuses_its_upload_so_the_check_recognises_it(stack):
    image = _png(size=(41, 29))  # bytes no other test uploaded through this client
    stack.client.send_image(["alice"], image, "chart.png")
    stack.client.send_image(["alice"], image, "chart.png")
    assert len(_app_messages(stack, "alice")) == 1
    assert len(_calls(stack, "media/upload")) == 1


def _row(session, status: OutboxStatus, **fields) -> int:
    row = OutboxMessage(channel="app", target='{"users": ["alice"]}', msgtype="image",
                        payload="{}", blob=b"png" * 100, status=status, **fields)  # fmt: skip
    session.add(row)
    session.flush()
    return row.id


def _add_old_rows(stack) -> dict[str, int]:
    with writing(stack.engine) as session:
        ids = {name: _row(session, OutboxStatus.SENT, sent_at=db_now()) for name in "abc"}
        ids["failed"] = _row(session, OutboxStatus.FAILED)
        ids["pending"] = _row(session, OutboxStatus.PENDING)
        notice = Notice(title="通知", body="内容")
        session.add(notice)
        session.flush()
        alice = session.exec(select(Staff).where(Staff.wecom_userid == "alice")).one()
        session.add(NoticeRecipient(notice_id=notice.id, staff_id=alice.id, wecom_userid="alice",
                                    outbox_id=ids["a"]))  # fmt: skip
        ids["notice"] = notice.id
    return ids


def _left(stack) -> dict[int, bytes | None]:
    with reading(stack.engine) as session:
        return {row.id: row.blob for row in session.exec(select(OutboxMessage))}


def test_purge_deletes_sent_rows_then_failed_ones_after_their_retention(stack):
    ids = _add_old_rows(stack)
    assert purge_outbox(stack.engine, stack.settings, now=utcnow() + timedelta(days=29)) == 0
    assert purge_outbox(stack.engine, stack.settings, now=utcnow() + timedelta(days=31)) == 3
    left = _left(stack)
    assert set(left) == {ids["a"], ids["failed"], ids["pending"]}
    assert left[ids["a"]] is None  # a notice still shows its state: the row stays, its file goes
    assert purge_outbox(stack.engine, stack.settings, now=utcnow() + timedelta(days=91)) == 1
    assert set(_left(stack)) == {ids["a"], ids["pending"]}
    with reading(stack.engine) as session:
        assert notices.notice_status(session, notice_id=ids["notice"]).delivered == 1


def test_purge_works_in_batches_of_short_transactions(stack):
    _add_old_rows(stack)
    later = utcnow() + timedelta(days=31)
    sizes = []
    for _ in range(3):
        with writing(stack.engine) as session:
            keep = {"keep_sent": timedelta(days=30), "keep_failed": timedelta(days=90)}
            sizes.append(purge.purge_batch(session, **keep, now=later, limit=2))
    assert sizes == [2, 1, 0]


def test_purge_outbox_is_a_housekeeping_job():
    assert "purge-outbox" in {job.name for job in HOUSEKEEPING}
