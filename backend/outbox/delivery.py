"""The outbox delivery worker: turns outbox rows into WeCom API calls (wiring to `bot`)."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from backend.common.metrics import instruments
from backend.db import reading, writing
from backend.models import OutboxMessage
from backend.outbox import limits
from backend.outbox import service as outbox
from backend.outbox.access_token import DatabaseTokenStore
from backend.outbox.service import OutgoingContent
from backend.settings import Settings
from bot.client import WeComClient, WeComError
from bot.replies import (
    FileReply,
    ImageReply,
    MarkdownReply,
    Reply,
    TemplateCardReply,
    TextReply,
    utf8_truncate,
)

log = logging.getLogger(__name__)

APP_TEXT_LIMIT = 2048
WEBHOOK_MARKDOWN_LIMIT = 4096


@dataclass
class DeliveryStats:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    postponed: int = 0  # rows whose every recipient was at WeCom's per-member limit


def build_client(settings: Settings, engine: Engine) -> WeComClient:
    """Create the WeCom API client with its token shared through the database."""
    return WeComClient(
        api_base=settings.WECOM_API_BASE,
        corp_id=settings.WECOM_CORP_ID,
        secret=settings.WECOM_SECRET,
        agent_id=settings.WECOM_AGENT_ID,
        token_store=DatabaseTokenStore(engine),
        timeout=settings.LVZHI_HTTP_TIMEOUT,
        duplicate_check_interval=settings.LVZHI_DUPLICATE_CHECK_SECONDS,
    )


def content_from_reply(reply: Reply) -> OutgoingContent:
    """Translate a typed reply into outbox content."""
    if isinstance(reply, TextReply):
        return OutgoingContent("text", {"content": reply.content})
    if isinstance(reply, MarkdownReply):
        return OutgoingContent("markdown", {"content": reply.content})
    if isinstance(reply, TemplateCardReply):
        return OutgoingContent("template_card", reply.card)
    if isinstance(reply, ImageReply):
        return OutgoingContent("image", {}, reply.data, reply.filename)
    if isinstance(reply, FileReply):
        return OutgoingContent("file", {}, reply.data, reply.filename)
    raise ValueError(f"cannot queue a {type(reply).__name__}")


def deliver_due(
    engine: Engine, client: WeComClient, *, now: datetime | None = None, limit: int = 50
) -> DeliveryStats:
    """Send every due outbox row once; failures wait for their next attempt.

    Each row is claimed in one short write, an app row's recipients booked against WeCom's
    per-member limits in another (`limits.book`), the row sent to WeCom outside any
    transaction, and its outcome recorded in a last short write. `now` replaces the
    database's clock (testing aid).
    """
    with writing(engine) as session:
        row_ids = outbox.claim_due(session, now=now, limit=limit)
        if row_ids:
            limits.forget_old_sends(session, now=now)
    stats = DeliveryStats()
    for row_id in row_ids:
        _deliver_one(engine, client, row_id, stats, now)
    return stats


def _deliver_one(
    engine: Engine, client: WeComClient, row_id: int, stats: DeliveryStats, now: datetime | None
) -> None:
    row = _ready_row(engine, row_id, now)
    if row is None:
        stats.postponed += 1
        return
    try:
        result = send_row(client, row)
    except (WeComError, ValueError) as exc:  # ValueError: the content cannot be sent at all
        if record_failure(engine, row_id, row.channel, exc, now=now):
            stats.retried += 1
        else:
            stats.failed += 1
        return
    record_sent(engine, row_id, row.channel, result, now=now)
    stats.sent += 1


def record_sent(
    engine: Engine, row_id: int, channel: str, result: dict, *, now: datetime | None = None
) -> None:
    """Record a delivered row (any channel's worker) in one short write."""
    with writing(engine) as session:
        outbox.mark_sent(session, row_id=row_id, result=result, now=now)
    instruments().delivered.labels(channel).inc()


def record_failure(
    engine: Engine,
    row_id: int,
    channel: str,
    error: WeComError | ValueError,
    *,
    now: datetime | None = None,
) -> bool:
    """Record a failed attempt (WeCom's errcode, or content that cannot be sent); True: retried."""
    code, text, retryable = "content", str(error), False
    if isinstance(error, WeComError):
        code, text = str(error.errcode), f"{error.errcode}: {error.errmsg}"
        retryable = error.retryable
    instruments().delivery_failures.labels(channel, code, "retry" if retryable else "failed").inc()
    log.warning("outbox row %s not delivered: %s", row_id, text)
    with writing(engine) as session:
        outbox.mark_failed(session, row_id=row_id, error=text, retryable=retryable, now=now)
    return retryable


def _ready_row(engine: Engine, row_id: int, now: datetime | None) -> OutboxMessage | None:
    """Load a claimed row; an app row is narrowed to the recipients booked now (None: none)."""
    with reading(engine) as session:
        row = session.get_one(OutboxMessage, row_id)
    if row.channel != "app":
        return row
    with writing(engine) as session:
        return row if limits.book(session, row=row, now=now) else None


def send_row(client: WeComClient, row: OutboxMessage) -> dict:
    """Make the API call(s) for one outbox row and return WeCom's answer."""
    target = json.loads(row.target)
    body = json.loads(row.payload)
    if row.channel == "app":
        return _send_app(client, target["users"], row, body)
    if row.channel == "appchat":
        return _send_appchat(client, target["target"], row, body)
    if row.channel == "bot":  # never claimed here: only the long connection can send it
        raise ValueError("a bot row goes over the long connection")
    return _send_webhook(client, target["target"], row, body)


def _blob(row: OutboxMessage) -> bytes:
    assert row.blob is not None  # image and file messages are always queued with their bytes
    return row.blob


def _send_app(client: WeComClient, users: list[str], row: OutboxMessage, body: dict) -> dict:
    if row.msgtype == "image":
        return client.send_image(users, _blob(row), row.filename or "image.png")
    if row.msgtype == "file":
        return client.send_file(users, _blob(row), row.filename or "file.bin")
    return client.send_message(users, row.msgtype, _fit(body, row.msgtype, APP_TEXT_LIMIT))


def _send_appchat(client: WeComClient, chat_id: str, row: OutboxMessage, body: dict) -> dict:
    if row.msgtype == "image":
        return client.appchat_send_image(chat_id, _blob(row), row.filename or "image.png")
    if row.msgtype == "file":
        return client.appchat_send_file(chat_id, _blob(row), row.filename or "file.bin")
    return client.appchat_send(chat_id, row.msgtype, _fit(body, row.msgtype, APP_TEXT_LIMIT))


def _send_webhook(client: WeComClient, key: str, row: OutboxMessage, body: dict) -> dict:
    if row.msgtype == "image":
        return client.webhook_send_image(key, _blob(row))
    if row.msgtype == "file":
        return client.webhook_send_file(key, _blob(row), row.filename or "file.bin")
    limit = WEBHOOK_MARKDOWN_LIMIT if row.msgtype == "markdown" else APP_TEXT_LIMIT
    return client.webhook_send(key, row.msgtype, _fit(body, row.msgtype, limit))


def _fit(body: dict, msgtype: str, limit: int) -> dict:
    if msgtype in ("text", "markdown") and "content" in body:
        return {**body, "content": utf8_truncate(body["content"], limit)}
    return body


def run_delivery_loop(
    engine: Engine, client: WeComClient, stop: threading.Event, *, interval: float = 1.0
) -> None:
    """Deliver due rows until `stop` is set, pausing `interval` seconds when idle."""
    while not stop.is_set():
        try:
            stats = deliver_due(engine, client)
        except Exception:  # keep the worker alive through a database hiccup
            log.exception("outbox delivery pass failed")
            stats = DeliveryStats()
        if stats.sent == 0:
            stop.wait(interval)
