"""Chat review: `审核` shows the next flagged entry and why; `通过` / `退回 原因` act on it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.entries.review import service as review
from backend.entries.review.service import EntryView, ReviewError
from backend.models import Staff
from bot.neutral import for_text
from bot.replies import Reply, TextReply
from handlers import review_texts as texts

RETURN_SEPARATORS = " ：:，,"


def review_command(
    session: Session, staff: Staff, text: str, *, now: datetime
) -> list[Reply] | None:
    """Answer a review command, or return None when the text is not one."""
    text = text.strip()
    if text == texts.START:
        return _start(session, staff, now)
    if text != texts.APPROVE and not text.startswith(texts.RETURN):
        return None
    entry_id = review.current_entry_id(session, staff)
    if entry_id is None:
        return None  # not reviewing: "通过" or "退回…" means something else here
    if text == texts.APPROVE:
        return _act(session, staff, now, lambda: _approve(session, staff, entry_id, now))
    reason = text[len(texts.RETURN) :].strip(RETURN_SEPARATORS)
    if not reason:
        return [TextReply(texts.REASON_NEEDED)]
    return _act(session, staff, now, lambda: _return(session, staff, entry_id, reason, now))


def _start(session: Session, staff: Staff, now: datetime) -> list[Reply]:
    if not review.is_reviewer(session, staff):
        return [TextReply(texts.NOT_REVIEWER)]
    review.refresh_pending_flags(session, reviewer=staff)
    return [TextReply(_next_text(session, staff, now))]


def _act(session: Session, staff: Staff, now: datetime, action) -> list[Reply]:
    try:
        done = action()
    except ReviewError as error:  # reviewed elsewhere meanwhile, month closed…: move on
        done = error.message
    return [TextReply(done + "\n\n" + _next_text(session, staff, now))]


def _approve(session: Session, staff: Staff, entry_id: int, now: datetime) -> str:
    review.approve_entry(session, reviewer=staff, entry_id=entry_id, now=now)
    return texts.APPROVED


def _return(session: Session, staff: Staff, entry_id: int, reason: str, now: datetime) -> str:
    review.return_entry(session, reviewer=staff, entry_id=entry_id, reason=reason, now=now)
    view = review.entry_view(session, entry_id)
    return texts.RETURNED.format(staff_name=view.staff_name if view else "")


def _next_text(session: Session, staff: Staff, now: datetime) -> str:
    view = review.show_next_flagged(session, reviewer=staff, now=now)
    flagged, unflagged = review.waiting_counts(session, reviewer=staff)
    if view is not None:
        return texts.WAITING.format(count=flagged) + "\n" + entry_text(view)
    if unflagged:
        return texts.ALL_DONE + "\n" + texts.UNFLAGGED_LEFT.format(count=unflagged)
    return texts.ALL_DONE


def entry_text(view: EntryView) -> str:
    """Return the chat text showing one entry and why it was flagged."""
    description = view.description.strip()
    if len(description) > texts.DESCRIPTION_LIMIT:
        description = description[: texts.DESCRIPTION_LIMIT] + "…"
    flags = "\n".join(texts.FLAG_LINE.format(label=label) for label in view.flag_labels)
    return texts.ENTRY.format(
        staff_name=for_text(view.staff_name),
        work_date=view.work_date.isoformat(),
        department_name=for_text(view.department_name),
        duty_title=for_text(view.duty_title),
        task_type=for_text(view.task_type),
        hours=view.hours,
        description=for_text(description),
        flags=flags,
    )
