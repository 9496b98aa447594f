"""Route each inbound message to the conversation that answers it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from backend.chat.conversations import FormSlot, FormState
from backend.models import Staff
from backend.schedule import approvals
from bot.messages import (
    ApprovalChangeEvent,
    ClickEvent,
    EnterAgentEvent,
    Inbound,
    SubscribeEvent,
    TemplateCardEvent,
    TextMessage,
    UnsubscribeEvent,
)
from bot.replies import Reply, TextReply
from handlers import cards, forms, reminder_cards, texts
from handlers.forms import texts as form_texts
from handlers.group_chat import answer_in_group, writes_in_group
from handlers.registry import ENTRY_WORDS, command_writes, help_text, run_command
from handlers.turn import Turn

SYSTEM_SENDER = "sys"  # WeCom's own events (approvals, contacts) come from "sys", not a member


@dataclass(frozen=True)
class Dispatch:
    """The bot's conversations as the inbox sees them: which messages write, and the answers."""

    needs_write: Callable[[Inbound, FormState | None], bool]
    answer: Callable[..., list[Reply]]


def needs_write(message: Inbound, form: FormState | None) -> bool:
    """Tell whether answering writes more than the member's form (then it runs in one write
    transaction); everything else is answered from a read snapshot."""
    if isinstance(message, ApprovalChangeEvent):
        return True
    if isinstance(message, TextMessage):
        text = message.content.strip()
        if message.in_group:
            return writes_in_group(text)
        return forms.confirms(form, text) or command_writes(text)
    if isinstance(message, TemplateCardEvent):
        parsed = cards.read_button_key(message.event_key)
        pressed = parsed[1] if parsed else ""
        return reminder_cards.writes(message.event_key) or forms.confirms(form, pressed)
    return False


def answer(
    session: Session, message: Inbound, form: FormSlot, staff: Staff | None, *, now: datetime
) -> list[Reply]:
    """Return the replies to one inbound message or event from `staff` (None: an outsider)."""
    if isinstance(message, ApprovalChangeEvent):
        approvals.queue_sync(session, sp_no=message.sp_no, status=message.sp_status)
        return []  # read off the request path: the job asks WeCom for the approval's detail
    if isinstance(message, UnsubscribeEvent) or message.user_id == SYSTEM_SENDER:
        return []
    if staff is None:
        return [TextReply(texts.NOT_A_MEMBER)]
    if isinstance(message, TextMessage) and message.in_group:
        return answer_in_group(session, staff, message.content.strip(), now=now)
    turn = Turn(session, staff, now, form, message.dedupe_key)
    if isinstance(message, TextMessage):
        return answer_text(turn, message.content.strip())
    if isinstance(message, TemplateCardEvent):
        return _button(turn, message.event_key)
    if isinstance(message, SubscribeEvent):
        return [TextReply(texts.WELCOME.format(name=staff.name))]
    if isinstance(message, EnterAgentEvent):
        return []  # opening the app is not a question; greeting every time would be noise
    if isinstance(message, ClickEvent):
        return _menu(turn, message.event_key)
    return [TextReply(texts.UNSUPPORTED)]


def _button(turn: Turn, event_key: str) -> list[Reply]:
    card = reminder_cards.handle_card_button(turn, event_key)
    if card is not None:
        return card
    replies = forms.handle_button(turn, event_key)
    return replies if replies is not None else [TextReply(form_texts.CARD_STALE)]


def _menu(turn: Turn, event_key: str) -> list[Reply]:
    if event_key == "log":
        return answer_text(turn, "填报")
    if event_key == "help":
        return [TextReply(help_text())]
    return [TextReply(texts.UNSUPPORTED)]


def answer_text(turn: Turn, text: str) -> list[Reply]:
    """Answer a typed text: inside the open form first, else as a command."""
    in_form = forms.handle(turn, text)
    if in_form is not None:
        return in_form
    replies = run_command(turn, text)
    title = forms.paused_title(turn)
    if title and text not in ENTRY_WORDS:
        replies.append(TextReply(form_texts.RESUME_OFFER.format(title=title)))
    return replies
