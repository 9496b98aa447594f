"""Route each inbound message to the conversation that answers it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.services import org
from bot.messages import (
    ClickEvent,
    EnterAgentEvent,
    Inbound,
    SubscribeEvent,
    TextMessage,
    UnsubscribeEvent,
)
from bot.replies import Reply, TextReply
from handlers import texts

HELP_WORDS = {"帮助", "help", "?", "？", "菜单"}
HINT_PREVIEW_CHARS = 20


def dispatch(session: Session, message: Inbound, *, now: datetime) -> list[Reply]:
    """Return the replies to one inbound message or event (may be none)."""
    if isinstance(message, UnsubscribeEvent):
        return []
    staff = org.find_active_staff(session, wecom_userid=message.user_id)
    if staff is None:
        return [TextReply(texts.NOT_A_MEMBER)]
    if isinstance(message, TextMessage):
        return _answer_text(message.content.strip())
    if isinstance(message, SubscribeEvent):
        return [TextReply(texts.WELCOME.format(name=staff.name))]
    if isinstance(message, EnterAgentEvent):
        return []  # opening the app is not a question; greeting every time would be noise
    if isinstance(message, ClickEvent) and message.event_key == "help":
        return [TextReply(texts.HELP)]
    return [TextReply(texts.UNSUPPORTED)]


def _answer_text(text: str) -> list[Reply]:
    if text.lower() in HELP_WORDS:
        return [TextReply(texts.HELP)]
    preview = text[:HINT_PREVIEW_CHARS] + ("…" if len(text) > HINT_PREVIEW_CHARS else "")
    return [TextReply(texts.HINT.format(text=preview))]
