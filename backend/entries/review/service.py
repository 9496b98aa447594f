"""Review actions (the one write path): approve, return, bulk-approve, close and reopen months."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from backend.entries.review import flag_entries, labels
from backend.entries.review.cursor import (
    current_entry_id,
    first_flagged,
    forget_entry,
    remember_entry,
)
from backend.entries.review.errors import InvalidRequest, Locked, NotAllowed, NotFound, ReviewError
from backend.entries.review.locks import (
    closed_months_between,
    is_locked,
    month_is_closed,
    year_month,
)
from backend.entries.review.pending import (
    EntryView,
    entry_view,
    pending_counts,
    pending_date_range,
)
from backend.models import Duty, DutyEntry, EntryStatus, Role, Staff, saved_id
from backend.models.review import MonthClosure, MonthReopening
from backend.org.queries import review_scope, reviewable_department_ids
from backend.outbox.service import OutgoingContent, enqueue_to_users
from bot.neutral import for_text

__all__ = [
    "EntryView",
    "ReviewError",
    "approve_entry",
    "bulk_approve_unflagged",
    "close_month",
    "current_entry_id",
    "ensure_editable",
    "entry_view",
    "forget_entry",
    "is_locked",
    "month_is_closed",
    "refresh_flags",
    "reopen_month",
    "return_entry",
    "review_scope",
    "reviewable_department_ids",
]

MAX_REASON_CHARS = 500
PREVIEW_CHARS = 40
_YEAR_MONTH = re.compile(r"^(?:20[0-9]{2}|2100)-(?:0[1-9]|1[0-2])$")  # ASCII, years 2000–2100


def ensure_editable(session: Session, entry: DutyEntry) -> None:
    """Raise Locked when an entry is approved or in a closed month."""
    if is_locked(session, entry):
        raise Locked(labels.LOCKED)


def ensure_may_review(session: Session, reviewer: Staff, department_id: int) -> None:
    """Raise NotAllowed unless the member reviews this department."""
    allowed = reviewable_department_ids(session, reviewer)
    if allowed is None:
        return
    if not allowed:
        raise NotAllowed(labels.NOT_REVIEWER)
    if department_id not in allowed:
        raise NotAllowed(labels.OTHER_DEPARTMENT)


def _reviewable_entry(session: Session, reviewer: Staff, entry_id: int) -> DutyEntry:
    entry = session.get(DutyEntry, entry_id)
    if entry is None:
        raise NotFound(labels.NOT_FOUND)
    ensure_may_review(session, reviewer, entry.department_id)
    if month_is_closed(session, entry.work_date):
        raise Locked(labels.MONTH_CLOSED.format(year_month=year_month(entry.work_date)))
    if entry.status != EntryStatus.SUBMITTED:
        raise InvalidRequest(labels.ALREADY_REVIEWED)
    if entry.staff_id == reviewer.id:
        raise NotAllowed(labels.OWN_ENTRY)
    return entry


def _mark(entry: DutyEntry, reviewer: Staff, status: EntryStatus, now: datetime) -> None:
    entry.status = status
    entry.reviewer_id = reviewer.id
    entry.reviewed_at = now.astimezone(UTC)
    entry.updated_at = now.astimezone(UTC)


def approve_entry(session: Session, *, reviewer: Staff, entry_id: int, now: datetime) -> DutyEntry:
    """Approve a submitted entry; it is locked from then on."""
    entry = _reviewable_entry(session, reviewer, entry_id)
    _mark(entry, reviewer, EntryStatus.APPROVED, now)
    entry.return_reason = None
    session.flush()
    return entry


def return_entry(
    session: Session, *, reviewer: Staff, entry_id: int, reason: str, now: datetime
) -> DutyEntry:
    """Return a submitted entry with a reason and tell its author in chat."""
    reason = _checked_reason(reason)
    entry = _reviewable_entry(session, reviewer, entry_id)
    _mark(entry, reviewer, EntryStatus.RETURNED, now)
    entry.return_reason = reason
    session.flush()
    _notify_author(session, entry)
    return entry


def _checked_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest(labels.REASON_REQUIRED)
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidRequest(labels.REASON_TOO_LONG)
    return reason


def _notify_author(session: Session, entry: DutyEntry) -> None:
    author = session.get_one(Staff, entry.staff_id)
    duty = session.get(Duty, entry.duty_id)
    description = entry.description.strip()
    if len(description) > PREVIEW_CHARS:
        description = description[:PREVIEW_CHARS] + "…"
    text = labels.RETURN_NOTICE.format(
        work_date=entry.work_date.isoformat(),
        duty=for_text(duty.title) if duty else "",
        description=for_text(description),
        reason=for_text(entry.return_reason),
    )
    assert entry.reviewed_at is not None  # returned just now, so reviewed
    key = f"review-return:{entry.id}:{entry.reviewed_at.isoformat()}"
    content = OutgoingContent("text", {"content": text})
    enqueue_to_users(session, user_ids=[author.wecom_userid], content=content, dedupe_key=key)


def refresh_flags(session: Session, *, department_ids: list[int] | None, start: date, end: date):
    """Recompute and store the flags of a period (a colleague's later copy flags both)."""
    return flag_entries(session, department_ids=department_ids, start=start, end=end)


def bulk_approve_unflagged(
    session: Session, *, reviewer: Staff, department_id: int, start: date, end: date, now: datetime
) -> int:
    """Approve, in one UPDATE, the unflagged submitted entries of a department and period."""
    ensure_may_review(session, reviewer, department_id)
    if start > end:
        raise InvalidRequest(labels.BAD_PERIOD)
    refresh_flags(session, department_ids=[department_id], start=start, end=end)
    closed = closed_months_between(session, start, end)
    stmt = (
        update(DutyEntry)
        .where(
            col(DutyEntry.department_id) == department_id,
            col(DutyEntry.work_date).between(start, end),
            col(DutyEntry.status) == EntryStatus.SUBMITTED,
            col(DutyEntry.flags) == "",
            col(DutyEntry.staff_id) != reviewer.id,
            *_outside_months(closed),
        )
        .values(
            status=EntryStatus.APPROVED,
            reviewer_id=reviewer.id,
            reviewed_at=now.astimezone(UTC),
            updated_at=now.astimezone(UTC),
        )
        .execution_options(synchronize_session="fetch")
    )
    return session.exec(stmt).rowcount or 0


def _outside_months(closed: set[str]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for month in sorted(closed):
        first = date.fromisoformat(f"{month}-01")
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        conditions.append(or_(col(DutyEntry.work_date) < first, col(DutyEntry.work_date) >= after))
    return conditions


def _checked_month(admin: Staff, month: str) -> str:
    if admin.role != Role.ADMIN:
        raise NotAllowed(labels.NOT_ADMIN)
    month = (month or "").strip()
    if not _YEAR_MONTH.match(month):
        raise InvalidRequest(labels.BAD_MONTH)
    return month


def _closure(session: Session, month: str) -> MonthClosure | None:
    return session.exec(select(MonthClosure).where(col(MonthClosure.year_month) == month)).first()


def close_month(session: Session, *, admin: Staff, month: str, now: datetime) -> MonthClosure:
    """Close a month (YYYY-MM): no entry dated in it changes afterwards."""
    month = _checked_month(admin, month)
    if _closure(session, month) is not None:
        raise InvalidRequest(labels.MONTH_ALREADY_CLOSED.format(year_month=month))
    closure = MonthClosure(
        year_month=month, closed_by=saved_id(admin), closed_at=now.astimezone(UTC)
    )
    session.add(closure)
    session.flush()
    return closure


def reopen_month(
    session: Session, *, admin: Staff, month: str, reason: str, now: datetime
) -> MonthReopening:
    """Reopen a closed month for corrections, recording who, when and why."""
    month = _checked_month(admin, month)
    reason = _checked_reason(reason)
    closure = _closure(session, month)
    if closure is None:
        raise InvalidRequest(labels.MONTH_NOT_CLOSED.format(year_month=month))
    record = MonthReopening(
        year_month=month,
        reopened_by=saved_id(admin),
        reopened_at=now.astimezone(UTC),
        reason=reason,
        closed_by=closure.closed_by,
        closed_at=closure.closed_at,
    )
    session.add(record)
    session.delete(closure)
    session.flush()
    return record


def refresh_pending_flags(session: Session, *, reviewer: Staff) -> None:
    """Recompute the flags of every entry waiting for this reviewer."""
    departments = reviewable_department_ids(session, reviewer)
    span = pending_date_range(session, department_ids=departments)
    if span is not None:
        refresh_flags(session, department_ids=departments, start=span[0], end=span[1])


def show_next_flagged(session: Session, *, reviewer: Staff, now: datetime) -> EntryView | None:
    """Return the next flagged entry for a chat reviewer and remember it (None: all done)."""
    view = first_flagged(session, reviewer)
    if view is None:
        forget_entry(session, reviewer)
    else:
        remember_entry(session, reviewer, view.id, now)
    return view


def waiting_counts(session: Session, *, reviewer: Staff) -> tuple[int, int]:
    """Return how many (flagged, unflagged) submitted entries wait for this reviewer."""
    departments = reviewable_department_ids(session, reviewer)
    return pending_counts(session, department_ids=departments, reviewer_id=reviewer.id)


def is_reviewer(session: Session, staff: Staff) -> bool:
    """Tell whether a member may review anything."""
    return reviewable_department_ids(session, staff) != []
