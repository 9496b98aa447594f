"""Buttons on reminder and notice cards: start logging, start reviewing, mark a notice read."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from backend.models import Staff
from backend.services import conversations, notices
from bot.replies import Reply, TextReply
from handlers import absence_texts as texts
from handlers import duty_entry, forms
from handlers.review_chat import review_command

LOG_STEP, REVIEW_STEP = "remind_log", "remind_review"


def handle_card_button(
    session: Session, staff: Staff, event_key: str, *, now: datetime
) -> list[Reply] | None:
    """Answer a reminder or notice button; None when the key is not one of these."""
    step, _, value = event_key.partition("|")
    if step == LOG_STEP:
        return _start_logging(session, staff, value, now)
    if step == REVIEW_STEP:
        return review_command(session, staff, "审核", now=now)
    if step == notices.READ_STEP and value.isdigit():
        notice = notices.mark_read(
            session, notice_id=int(value), wecom_userid=staff.wecom_userid, now=now
        )
        return [
            TextReply(texts.NOTICE_READ.format(title=notice.title) if notice else texts.NOTICE_GONE)
        ]
    return None


def _start_logging(session: Session, staff: Staff, value: str, now: datetime) -> list[Reply]:
    row = conversations.current(session, wecom_userid=staff.wecom_userid)
    if row is not None and not row.paused:
        title = forms.paused_title(session, staff) or "履职填报"
        return [TextReply(texts.FORM_OPEN.format(title=title))]
    try:
        answers = {"date": date.fromisoformat(value).isoformat()}
    except ValueError:
        answers = None
    return duty_entry.start_entry(session, staff, now=now, answers=answers)
