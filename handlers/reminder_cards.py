"""Buttons on reminder and notice cards: start logging, start reviewing, mark a notice read."""

from __future__ import annotations

from datetime import date

from backend.schedule import notices
from bot.replies import Reply, TextReply
from handlers import absence_texts as texts
from handlers import duty_entry, forms
from handlers.parsing import small_number
from handlers.review_chat import review_command
from handlers.turn import Turn

LOG_STEP, REVIEW_STEP = "remind_log", "remind_review"


def writes(event_key: str) -> bool:
    """Tell whether the button records something (a review, a notice read)."""
    return event_key.partition("|")[0] in (REVIEW_STEP, notices.READ_STEP)


def handle_card_button(turn: Turn, event_key: str) -> list[Reply] | None:
    """Answer a reminder or notice button; None when the key is not one of these."""
    session, staff, now = turn.session, turn.staff, turn.now
    step, _, value = event_key.partition("|")
    if step == LOG_STEP:
        return _start_logging(turn, value)
    if step == REVIEW_STEP:
        return review_command(session, staff, "审核", now=now)
    notice_id = small_number(value, digits=18)
    if step == notices.READ_STEP and notice_id is not None:
        notice = notices.mark_read(
            session, notice_id=notice_id, wecom_userid=staff.wecom_userid, now=now
        )
        return [
            TextReply(texts.NOTICE_READ.format(title=notice.title) if notice else texts.NOTICE_GONE)
        ]
    return None


def _start_logging(turn: Turn, value: str) -> list[Reply]:
    row = turn.form.state
    if row is not None and not row.paused:
        form = forms.form_named(turn.session, row.form)
        return [TextReply(texts.FORM_OPEN.format(title=form.title if form else "履职填报"))]
    try:
        answers = {"date": date.fromisoformat(value).isoformat()}
    except ValueError:
        answers = None
    return duty_entry.start_entry(turn, answers=answers)
