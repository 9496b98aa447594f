"""What the emulated long connection answers and records: errcodes, fault switches, callbacks
waiting for a reply, and how a reply or push is shown on the page and to tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

RESPONSES = ("aibot_respond_msg", "aibot_respond_welcome_msg", "aibot_respond_update_msg")
MAX_PENDING = 1000  # callbacks remembered for late replies
SUBSCRIBE_WAIT = 10.0  # seconds a new connection has to authenticate
INVALID_SECRET, INVALID_FRAME, NOT_SUBSCRIBED = 40001, 40058, 846609
# A push to a chat the bot is not in. Unverified: WeCom documents no errcode for it; this is
# the API's "chatid not found".
NOT_IN_CHAT = 86003
ERRMSG = {0: "ok", -1: "system busy", NOT_IN_CHAT: "chatid not found: the bot is not in this chat"}


@dataclass
class BotFaults:
    """Switches of the long connection: slow acks, ignored pings, pushes refused."""

    ack_delay: float = 0.0
    ignore_pings: bool = False
    push_errcode: int = 0  # acked to every push instead of taking it (e.g. -1, busy)


@dataclass
class Pending:
    """A callback sent to the bot, waiting for its first reply."""

    frame: dict
    replies: list[dict] = field(default_factory=list)
    answered: threading.Event = field(default_factory=threading.Event)


def where_shown(callback_body: dict) -> dict:
    """Where a reply shows: the group the member wrote in, else the member's chat."""
    if callback_body.get("chattype") == "group":
        return {"chatid": callback_body.get("chatid")}
    return {"userid": (callback_body.get("from") or {}).get("userid")}


def shown(body: dict) -> dict:
    """Turn a reply body into the fields the emulator page and the tests read."""
    msgtype = body.get("msgtype") or ("update_card" if "template_card" in body else "")
    shown: dict[str, Any] = {"msgtype": msgtype}
    if msgtype == "stream":
        shown["content"] = str((body.get("stream") or {}).get("content") or "")
    elif msgtype in ("markdown", "text"):
        shown["content"] = str((body.get(msgtype) or {}).get("content") or "")
    if "template_card" in body:
        shown["card"] = body["template_card"]
    return shown
