"""Check the body of an app message (message/send, appchat/send) and shape what the page shows."""

from __future__ import annotations

import re

from bot.emulator.errors import ApiError
from bot.emulator.state import EmulatorState

TEXT_LIMIT = 2048
MEDIA_TYPES = ("image", "voice", "video", "file")
INTERACTIVE_CARDS = ("button_interaction", "vote_interaction", "multiple_interaction")
CARD_TYPES = ("text_notice", "news_notice", *INTERACTIVE_CARDS)
TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")


def section(body: dict, name: str) -> dict:
    """Return the body's object for the message type, or fail with 40008."""
    value = body.get(name)
    if not isinstance(value, dict):
        raise ApiError(40008, f"missing {name} object")
    return value


def app_payload(state: EmulatorState, body: dict, *, cards: bool) -> dict:
    """Validate an app message body and return the fields to record for it."""
    msgtype = body.get("msgtype")
    if msgtype in ("text", "markdown"):
        return _text(body, msgtype)
    if msgtype in MEDIA_TYPES:
        return {"msgtype": msgtype, "media": _media(state, section(body, msgtype))}
    if msgtype == "textcard":
        return {"msgtype": msgtype, "textcard": _textcard(section(body, msgtype))}
    if msgtype in ("news", "mpnews"):
        return {"msgtype": msgtype, "articles": articles(section(body, msgtype))}
    if msgtype == "template_card" and cards:
        return {"msgtype": msgtype, "card": _card(section(body, msgtype))}
    raise ApiError(40008, f"msgtype {msgtype!r} is not supported here")


def _text(body: dict, msgtype: str) -> dict:
    content = section(body, msgtype).get("content")
    if not isinstance(content, str) or not content:
        raise ApiError(44004)
    raw = content.encode("utf-8")
    if len(raw) <= TEXT_LIMIT:
        return {"msgtype": msgtype, msgtype_key(msgtype): content}
    kept = raw[:TEXT_LIMIT].decode("utf-8", errors="ignore")
    return {"msgtype": msgtype, msgtype_key(msgtype): kept, "truncated": True}


def msgtype_key(msgtype: str) -> str:
    """Name the recorded field that holds a text or markdown body."""
    return "markdown" if msgtype.startswith("markdown") else "content"


def _media(state: EmulatorState, value: dict) -> dict:
    media = state.find_media(str(value.get("media_id") or ""), owner="app")
    if media is None:
        raise ApiError(40007)
    return media.link()


def _textcard(value: dict) -> dict:
    if not value.get("title"):
        raise ApiError(41016)
    if not value.get("description"):
        raise ApiError(41033)
    if not value.get("url"):
        raise ApiError(40058, "textcard.url is required")
    return {**value, "btntxt": value.get("btntxt") or "详情"}


def articles(value: dict) -> list[dict]:
    """Check a news body: one to eight articles, each with a title."""
    items = value.get("articles")
    if not isinstance(items, list) or not 1 <= len(items) <= 8:
        raise ApiError(45008)
    if not all(isinstance(a, dict) and a.get("title") for a in items):
        raise ApiError(41016)
    return items


def _card(card: dict) -> dict:
    card_type = card.get("card_type")
    if card_type not in CARD_TYPES:
        raise ApiError(40058, f"invalid card_type {card_type!r}")
    if needs_response_code(card) and not TASK_ID.match(str(card.get("task_id") or "")):
        raise ApiError(40058, "task_id is required: 1-128 of 0-9 a-z A-Z _ - @")
    if len(card.get("button_list") or []) > 6:
        raise ApiError(40058, "at most 6 buttons")
    return card


def needs_response_code(card: dict) -> bool:
    """Tell whether WeCom returns a response_code for this card (interactive or with a menu)."""
    return card.get("card_type") in INTERACTIVE_CARDS or bool(card.get("action_menu"))
