"""The review JSON API (/api/v1/review/…), authenticated by per-staff bearer tokens."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import Blueprint, g, jsonify, request

from backend.common.values import MAX_ID, parse_day, parse_int
from backend.db import writing
from backend.entries.review import labels
from backend.entries.review import service as review
from backend.entries.review.current import pending_page
from backend.entries.review.errors import InvalidRequest, NotAllowed, NotFound, ReviewError
from backend.entries.review.pending import EntryView, entry_view
from backend.models import DutyEntry, Staff, saved_id
from backend.org import api_tokens as auth_tokens
from backend.runtime import runtime
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

blueprint = Blueprint("api_review", __name__)
MAX_PAGE = 200


@blueprint.before_request
def _authenticate():
    """Let a valid bearer token through; the POSTs stamp its last use in their write."""
    staff = auth_tokens.verify_token(request_session(), _token()) if _token() else None
    if staff is None:
        return jsonify(error="unauthorized", message=labels.UNAUTHORIZED), 401
    request_session().expire_all()  # drop the token's last-used stamp: a GET never writes
    g.reviewer = staff
    return None


@blueprint.errorhandler(ReviewError)
def _refused(error: ReviewError):
    return jsonify(error=type(error).__name__, message=error.message), error.status


def _token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _reviewer(db: Session) -> Staff:
    """Return the caller in the write transaction, stamping the token's last use there."""
    staff = auth_tokens.verify_token(db, _token())
    if staff is None:  # revoked a moment ago
        raise NotAllowed(labels.UNAUTHORIZED)
    return staff


def _now():
    return runtime().clock()


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidRequest(labels.BAD_BODY)
    return body


def _int(value, message: str = labels.BAD_NUMBER, *, lo: int = -MAX_ID) -> int:
    number = None if isinstance(value, bool) else parse_int(value, lo, MAX_ID)
    if number is None:
        raise InvalidRequest(message)
    return number


def _entry_id(raw: str) -> int:
    number = parse_int(raw, 1, MAX_ID)
    if number is None:
        raise NotFound(labels.NOT_FOUND)
    return number


def _date(value) -> date:
    day = parse_day(value) if isinstance(value, str) else None
    if day is None:
        raise InvalidRequest(labels.BAD_DATE)
    return day


@blueprint.get("/entries")
def list_pending():
    """List submitted entries the caller may review, flagged first (flags as they stand now)."""
    session = request_session()
    allowed = review.reviewable_department_ids(session, g.reviewer)
    if allowed == []:
        raise NotAllowed(labels.NOT_REVIEWER)
    departments = allowed
    if "department_id" in request.args:
        department_id = _int(request.args["department_id"])
        review.ensure_may_review(session, g.reviewer, department_id)
        departments = [department_id]
    limit = min(max(_int(request.args.get("limit", 50)), 1), MAX_PAGE)
    offset = max(_int(request.args.get("offset", 0)), 0)
    flagged_only = request.args.get("flagged") in ("1", "true")
    queue = pending_page(
        session,
        department_ids=departments,
        reviewer_id=g.reviewer.id,
        flagged_only=flagged_only,
        limit=limit,
        offset=offset,
    )
    counts = {"flagged": queue.flagged, "unflagged": queue.unflagged}
    return jsonify({"entries": [view.as_json() for view in queue.views], "counts": counts})


def _view_of(db: Session, entry: DutyEntry) -> EntryView:
    view = entry_view(db, saved_id(entry))
    assert view is not None  # the entry was just written in this transaction
    return view


@blueprint.post("/entries/<raw_id>/approve")
def approve(raw_id: str):
    """Approve one entry."""
    entry_id = _entry_id(raw_id)
    with writing(runtime().engine) as db:
        entry = review.approve_entry(db, reviewer=_reviewer(db), entry_id=entry_id, now=_now())
        view = _view_of(db, entry)
    return jsonify({"entry": view.as_json()})


@blueprint.post("/entries/<raw_id>/return")
def return_(raw_id: str):
    """Return one entry to its author with a reason."""
    entry_id = _entry_id(raw_id)
    reason = _body().get("reason")
    if not isinstance(reason, str):
        raise InvalidRequest(labels.REASON_REQUIRED)
    with writing(runtime().engine) as db:
        entry = review.return_entry(
            db, reviewer=_reviewer(db), entry_id=entry_id, reason=reason, now=_now()
        )
        view = _view_of(db, entry)
    return jsonify({"entry": view.as_json()})


@blueprint.post("/bulk-approve")
def bulk_approve():
    """Approve every unflagged submitted entry of a department and period."""
    body = _body()
    department_id = _int(body.get("department_id"))
    start, end = _date(body.get("start")), _date(body.get("end"))
    with writing(runtime().engine) as db:
        count = review.bulk_approve_unflagged(
            db,
            reviewer=_reviewer(db),
            department_id=department_id,
            start=start,
            end=end,
            now=_now(),
        )
    return jsonify({"approved": count})


@blueprint.post("/months/<month>/close")
def close(month: str):
    """Close a month (administrators)."""
    with writing(runtime().engine) as db:
        closure = review.close_month(db, admin=_reviewer(db), month=month, now=_now())
    return jsonify({"year_month": closure.year_month, "closed_at": closure.closed_at.isoformat()})


@blueprint.post("/months/<month>/reopen")
def reopen(month: str):
    """Reopen a closed month with a reason (administrators)."""
    reason = str(_body().get("reason") or "")
    with writing(runtime().engine) as db:
        admin = _reviewer(db)
        record = review.reopen_month(db, admin=admin, month=month, reason=reason, now=_now())
    return jsonify({"year_month": record.year_month, "reason": record.reason})
