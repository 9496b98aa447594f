"""Route each inbound message to the conversation that answers it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.models import Staff
from backend.services import org
from bot.messages import (
    ClickEvent,
    EnterAgentEvent,
    Inbound,
    SubscribeEvent,
    TemplateCardEvent,
    TextMessage,
    UnsubscribeEvent,
)
from bot.replies import Reply, TextReply
from handlers import absence, commands, duty_entry, forms, reminder_cards, texts
from handlers.forms import texts as form_texts
from handlers.quick_entry import quick_entry
from handlers.report_commands import REPORT_WORDS, report_command
from handlers.review_chat import review_command
from handlers.survey_chat import survey_command

HELP_WORDS = {"帮助", "help", "?", "？", "菜单"}
ENTRY_WORDS = {"填报", "记录", "填写", "日志"}
REVIEW_PREFIXES = ("审核", "通过", "退回")
HINT_PREVIEW_CHARS = 20


def dispatch(session: Session, message: Inbound, *, now: datetime) -> list[Reply]:
    """Return the replies to one inbound message or event (may be none)."""
    if isinstance(message, UnsubscribeEvent):
        return []
    staff = org.find_active_staff(session, wecom_userid=message.user_id)
    if staff is None:
        return [TextReply(texts.NOT_A_MEMBER)]
    key = message.dedupe_key
    if isinstance(message, TextMessage):
        return answer_text(session, staff, message.content.strip(), now=now, key=key)
    if isinstance(message, TemplateCardEvent):
        card = reminder_cards.handle_card_button(session, staff, message.event_key, now=now)
        if card is not None:
            return card
        replies = forms.handle_button(session, staff, message.event_key, now=now, key=key)
        return replies if replies is not None else [TextReply(form_texts.CARD_STALE)]
    if isinstance(message, SubscribeEvent):
        return [TextReply(texts.WELCOME.format(name=staff.name))]
    if isinstance(message, EnterAgentEvent):
        return []  # opening the app is not a question; greeting every time would be noise
    if isinstance(message, ClickEvent):
        return _menu(session, staff, message.event_key, now=now, key=key)
    return [TextReply(texts.UNSUPPORTED)]


def _menu(session: Session, staff: Staff, event_key: str, *, now: datetime, key: str):
    if event_key == "log":
        return answer_text(session, staff, "填报", now=now, key=key)
    if event_key == "help":
        return [TextReply(texts.HELP)]
    return [TextReply(texts.UNSUPPORTED)]


def answer_text(
    session: Session, staff: Staff, text: str, *, now: datetime, key: str
) -> list[Reply]:
    """Answer a typed text: inside the open form first, else as a command."""
    in_form = forms.handle(session, staff, text, now=now, key=key)
    if in_form is not None:
        return in_form
    replies = _command(session, staff, text, now=now)
    title = forms.paused_title(session, staff)
    if title and text not in ENTRY_WORDS:
        replies.append(TextReply(form_texts.RESUME_OFFER.format(title=title)))
    return replies


def _command(session: Session, staff: Staff, text: str, *, now: datetime) -> list[Reply]:
    first, _, rest = text.partition(" ")
    if text.lower() in HELP_WORDS:
        return [TextReply(texts.HELP)]
    if text in ENTRY_WORDS:
        return duty_entry.start_entry(session, staff, now=now)
    if text in commands.PERIODS:
        return commands.my_entries(session, staff, text, now=now)
    if text in form_texts.CANCEL_WORDS:
        return [TextReply(form_texts.NOTHING_TO_CANCEL)]
    if text in form_texts.RESUME_WORDS:
        return [TextReply(form_texts.NOTHING_TO_RESUME)]
    if first in ("修改", "删除"):
        return commands.change_entry(session, staff, rest.strip(), now=now, delete=first == "删除")
    if first == "问卷" or text.removeprefix("问卷").isdigit():
        return survey_command(session, staff, text, now=now)
    if absence.is_absence_command(text):
        return absence.absence_command(session, staff, text, now=now)
    if text in REPORT_WORDS:
        return report_command(session, staff, text, now=now)
    if text.startswith(commands.WHO_PREFIXES):
        return commands.who_handles(session, text)
    if text.startswith(REVIEW_PREFIXES):
        reviewed = review_command(session, staff, text, now=now)
        if reviewed is not None:
            return reviewed
    return quick_entry(session, staff, text, now=now) or [TextReply(_hint(text))]


def _hint(text: str) -> str:
    preview = text[:HINT_PREVIEW_CHARS] + ("…" if len(text) > HINT_PREVIEW_CHARS else "")
    return texts.HINT.format(text=preview)
