"""The intelligent bot's long-connection frames as typed messages, and replies as frame bodies.

Frames come from WeCom's official SDK (`wecom-aibot-python-sdk`): `aibot_msg_callback` and
`aibot_event_callback`, each `{cmd, headers: {req_id}, body}`. Their bodies carry `msgid`,
`aibotid`, `chattype` (single or group), `chatid` (groups), `from.userid` and, for text,
`text.content`; events carry `event.eventtype`. A message becomes the same `Inbound` the callback
produces, so one dispatch answers both channels; its id is prefixed so it never meets a callback's.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from bot.messages import EnterAgentEvent, Inbound, TemplateCardEvent, TextMessage
from bot.replies import Reply, TextReply

MESSAGE_CMD, EVENT_CMD = "aibot_msg_callback", "aibot_event_callback"
DISCONNECTED = "disconnected_event"
MAX_TEXT = 16_384  # characters of a member's message read (a callback is bounded in bytes too)
_MENTION = re.compile(r"^\s*@\S+\s*")


def chat_of(frame: dict[str, Any]) -> tuple[str, str]:
    """Return (chat type, chat id) of a callback frame: ("single", "") or ("group", chatid)."""
    body = _body(frame)
    if body.get("chattype") == "group":
        return "group", str(body.get("chatid") or "")
    return "single", ""


def frame_to_inbound(frame: dict[str, Any], *, now: int | None = None) -> Inbound | None:
    """Turn a message or event frame into a typed message (None: nothing for the bot to do)."""
    body = _body(frame)
    sender = body.get("from")
    userid = str(sender.get("userid") or "") if isinstance(sender, dict) else ""
    msgid = str(body.get("msgid") or "")
    if not userid or not msgid:
        return None
    common: dict[str, Any] = {
        "user_id": userid,
        "corp_id": "",
        "agent_id": None,
        "create_time": _int(body.get("create_time")) or int(now or time.time()),
        "raw": {"MsgId": "aibot:" + msgid, "ChatType": chat_of(frame)[0]},
    }
    if frame.get("cmd") == MESSAGE_CMD and body.get("msgtype") == "text":
        return TextMessage(**common, content=_text(body), msg_id=0)
    if frame.get("cmd") == EVENT_CMD:
        return _event(body, common)
    return None


def is_disconnect(frame: dict[str, Any]) -> bool:
    """Tell whether WeCom says this connection was replaced by a newer one."""
    event = _body(frame).get("event")
    return isinstance(event, dict) and event.get("eventtype") == DISCONNECTED


def _event(body: dict[str, Any], common: dict[str, Any]) -> Inbound | None:
    event = body.get("event")
    kind = event.get("eventtype") if isinstance(event, dict) else None
    if kind == "enter_chat":
        return EnterAgentEvent(**common)
    if kind == "template_card_event" and isinstance(event, dict):
        card = event.get("template_card_event")
        card = card if isinstance(card, dict) else {}
        return TemplateCardEvent(
            **common,
            event_key=str(card.get("event_key") or ""),
            task_id=str(card.get("task_id") or ""),
            card_type=str(card.get("card_type") or ""),
            response_code="",
            selected={},
        )
    return None


def _text(body: dict[str, Any]) -> str:
    text = body.get("text")
    content = str(text.get("content") or "") if isinstance(text, dict) else ""
    if body.get("chattype") == "group":
        content = _MENTION.sub("", content, count=1)  # "@履职助手 本周汇总" → "本周汇总"
    return content.strip()[:MAX_TEXT]


def reply_body(reply: Reply, *, message: Inbound) -> dict[str, Any] | None:
    """Render a reply as the body of an `aibot_respond_msg` frame (None: not sendable so).

    A text goes as a finished stream, the form the official SDK's examples answer with; the
    stream id is derived from the message, so a repeat of the same reply refreshes one stream.
    """
    if not isinstance(reply, TextReply):
        return None
    digest = hashlib.sha1(message.dedupe_key.encode(), usedforsecurity=False).hexdigest()[:16]
    return {
        "msgtype": "stream",
        "stream": {"id": f"lvzhi-{digest}", "finish": True, "content": reply.content},
    }


def _body(frame: dict[str, Any]) -> dict[str, Any]:
    body = frame.get("body")
    return body if isinstance(body, dict) else {}


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
