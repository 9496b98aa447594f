"""The WeCom callback endpoint: verify, decrypt, parse, then hand over to the inbox."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, abort, g, request

from backend.chat.inbox import apology_xml, process_message
from backend.common.metrics import instruments
from backend.runtime import runtime
from backend.settings import CALLBACK_PATH
from bot.crypto import CallbackError, SignatureError
from bot.messages import MessageParseError, parse_message

log = logging.getLogger(__name__)
blueprint = Blueprint("wecom", __name__)
WRONG_CORP_ID = -40005


@blueprint.before_request
def _start_clock() -> None:
    g.callback_started = time.perf_counter()


@blueprint.after_request
def _count_callback(response: Response) -> Response:
    """Count every callback answer (refusals included) and time it."""
    measure = instruments()
    measure.callbacks.labels(request.method, str(response.status_code)).inc()
    elapsed = time.perf_counter() - g.pop("callback_started", time.perf_counter())
    measure.callback_seconds.labels(request.method).observe(elapsed)
    return response


@blueprint.get(CALLBACK_PATH)
def verify_url() -> Response:
    """Answer WeCom's URL verification with the bare decrypted echostr."""
    args = _required_args("msg_signature", "timestamp", "nonce", "echostr")
    try:
        plain = runtime().crypto.verify_url(*args)
    except CallbackError as exc:
        abort(_status_for(exc), description=f"回调校验失败 ({exc.code})")
    return Response(plain, mimetype="text/plain")


@blueprint.post(CALLBACK_PATH)
def receive() -> Response:
    """Handle an encrypted message or event and return the encrypted passive reply."""
    signature, timestamp, nonce = _required_args("msg_signature", "timestamp", "nonce")
    body = _bounded_body(runtime().settings.LVZHI_MAX_CALLBACK_BYTES)
    try:
        message = parse_message(runtime().crypto.decrypt(body, signature, timestamp, nonce))
    except CallbackError as exc:
        abort(_status_for(exc), description=f"回调解密失败 ({exc.code})")
    except MessageParseError:
        abort(400, description="回调消息格式不正确")
    if not _fresh(timestamp, runtime().settings.LVZHI_CALLBACK_MAX_AGE_SECONDS):
        abort(403, description="回调时间戳不在允许范围内")
    reply_xml = _answer(message)
    if not reply_xml:
        return Response("", mimetype="text/plain")
    return Response(runtime().crypto.encrypt(reply_xml), mimetype="application/xml")


def _answer(message) -> str:
    app_runtime = runtime()
    corp_id = app_runtime.settings.WECOM_CORP_ID
    now = app_runtime.clock()
    try:
        return process_message(
            app_runtime.engine, message, app_runtime.dispatch, corp_id=corp_id, now=now
        )
    except Exception:
        log.exception("callback %s failed", message.dedupe_key)
        instruments().callback_failures.inc()
        return apology_xml(message, corp_id=corp_id, now=now)


def _fresh(timestamp: str, max_age: int) -> bool:
    """Tell whether a (signed) callback timestamp is within `max_age` seconds of real time."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    return abs(time.time() - int(timestamp)) <= max_age


def _required_args(*names: str) -> list[str]:
    values = [request.args.get(name, "") for name in names]
    if any(not value for value in values):
        abort(400, description="缺少回调参数: " + ", ".join(names))
    return values


def _bounded_body(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        abort(413, description="回调消息过大")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        abort(413, description="回调消息过大")
    return body


def _status_for(error: CallbackError) -> int:
    if isinstance(error, SignatureError) or error.code == WRONG_CORP_ID:
        return 403
    return 400
