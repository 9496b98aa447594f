"""Pushes over the intelligent bot's long connection (`aibot_send_msg`): bodies and failures.

WeCom's official SDK (`WSClient.send_message(chatid, body)`) adds the chatid, sends the frame and
waits (5 s) for its ack. It raises RuntimeError when the connection is closed or lost (and
when the ack carries a non-zero errcode: "Reply ack error: errcode=…, errmsg=…"), TimeoutError
when no ack comes. A push can only be markdown or a template card; text is sent as markdown.
"""

from __future__ import annotations

import re
from typing import Any

from bot.client import BUSY, RATE_LIMITED, WeComError, WeComUnavailable
from bot.neutral import text_as_markdown
from bot.replies import utf8_truncate

PUSH_MSGTYPES = ("text", "markdown", "template_card")
MARKDOWN_LIMIT = 4096  # bytes; WeCom's markdown limit elsewhere (the bot's own is unverified)
_ACK_ERROR = re.compile(r"errcode=(-?\d+), errmsg=(.*)", re.S)


def as_pushable(msgtype: str, body: dict) -> tuple[str, dict]:
    """Return (msgtype, body) a push can carry: text becomes markdown showing the same."""
    if msgtype == "text":
        return "markdown", {"content": text_as_markdown(str(body.get("content") or ""))}
    if msgtype not in PUSH_MSGTYPES:
        raise ValueError(f"the bot cannot push {msgtype!r}")
    return msgtype, body


def push_body(msgtype: str, body: dict) -> dict[str, Any]:
    """Render an outbox row's content as the body of an `aibot_send_msg` frame (sans chatid)."""
    msgtype, body = as_pushable(msgtype, body)
    if msgtype == "markdown":
        content = utf8_truncate(str(body.get("content") or ""), MARKDOWN_LIMIT)
        return {"msgtype": "markdown", "markdown": {"content": content}}
    return {"msgtype": "template_card", "template_card": body}


def push_error(exc: Exception) -> WeComError:
    """Classify a failed push: WeCom's errcode from the ack, else a lost connection (retryable)."""
    match = _ACK_ERROR.search(str(exc))
    if match is None:  # closed, lost, not yet connected, or no ack in time
        return WeComUnavailable(f"long connection: {exc}")
    errcode = int(match.group(1))
    retryable = errcode == BUSY or errcode in RATE_LIMITED
    return WeComError(errcode, match.group(2).strip(), retryable=retryable)
