"""The review JSON API (/api/v1/review/…), authenticated by per-staff bearer tokens."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, jsonify, request
from sqlmodel import Session

from backend import auth_tokens
from backend.review import labels
from backend.review.errors import InvalidRequest, NotAllowed, NotFound, ReviewError
from backend.review.pending import (
    entry_view,
    pending_counts,
    pending_date_range,
    pending_views,
    reviewable_department_ids,
)
from backend.runtime import runtime
from backend.services import review

blueprint = Blueprint("api_review", __name__)
MAX_PAGE = 200


@blueprint.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    g.review_session = Session(runtime().engine, expire_on_commit=False)
    staff = None
    if scheme.lower() == "bearer":
        staff = auth_tokens.verify_token(g.review_session, token.strip())
    if staff is None:
        return jsonify(error="unauthorized", message=labels.UNAUTHORIZED), 401
    g.reviewer = staff
    return None


@blueprint.teardown_request
def _close_session(_error):
    session = g.pop("review_session", None)
    if session is not None:
        session.close()


@blueprint.errorhandler(ReviewError)
def _refused(error: ReviewError):
    g.review_session.rollback()
    return jsonify(error=type(error).__name__, message=error.message), error.status


def _now():
    return runtime().clock()


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidRequest(labels.BAD_BODY)
    return body


def _int(value, message: str = labels.BAD_NUMBER) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InvalidRequest(message) from None


def _entry_id(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise NotFound(labels.NOT_FOUND) from None


def _date(value) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidRequest(labels.BAD_DATE) from None


def _done(payload: dict, status: int = 200):
    g.review_session.commit()
    return jsonify(payload), status


@blueprint.get("/entries")
def list_pending():
    """List submitted entries the caller may review, flagged first."""
    session = g.review_session
    allowed = reviewable_department_ids(session, g.reviewer)
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
    _refresh_pending(session, departments)
    return _done(_pending_payload(session, departments, flagged_only, limit, offset))


def _pending_payload(session: Session, departments, flagged_only: bool, limit: int, offset: int):
    reviewer_id = g.reviewer.id
    views = pending_views(
        session,
        department_ids=departments,
        reviewer_id=reviewer_id,
        flagged_only=flagged_only,
        limit=limit,
        offset=offset,
    )
    flagged, unflagged = pending_counts(
        session, department_ids=departments, reviewer_id=reviewer_id
    )
    counts = {"flagged": flagged, "unflagged": unflagged}
    return {"entries": [view.as_json() for view in views], "counts": counts}


def _refresh_pending(session: Session, departments: list[int] | None) -> None:
    span = pending_date_range(session, department_ids=departments)
    if span is not None:
        review.refresh_flags(session, department_ids=departments, start=span[0], end=span[1])


@blueprint.post("/entries/<raw_id>/approve")
def approve(raw_id: str):
    """Approve one entry."""
    entry = review.approve_entry(
        g.review_session, reviewer=g.reviewer, entry_id=_entry_id(raw_id), now=_now()
    )
    return _done({"entry": entry_view(g.review_session, entry.id).as_json()})


@blueprint.post("/entries/<raw_id>/return")
def return_(raw_id: str):
    """Return one entry to its author with a reason."""
    entry_id = _entry_id(raw_id)
    reason = _body().get("reason")
    if not isinstance(reason, str):
        raise InvalidRequest(labels.REASON_REQUIRED)
    entry = review.return_entry(
        g.review_session, reviewer=g.reviewer, entry_id=entry_id, reason=reason, now=_now()
    )
    return _done({"entry": entry_view(g.review_session, entry.id).as_json()})


@blueprint.post("/bulk-approve")
def bulk_approve():
    """Approve every unflagged submitted entry of a department and period."""
    body = _body()
    count = review.bulk_approve_unflagged(
        g.review_session,
        reviewer=g.reviewer,
        department_id=_int(body.get("department_id")),
        start=_date(body.get("start")),
        end=_date(body.get("end")),
        now=_now(),
    )
    return _done({"approved": count})


@blueprint.post("/months/<month>/close")
def close(month: str):
    """Close a month (administrators)."""
    closure = review.close_month(g.review_session, admin=g.reviewer, month=month, now=_now())
    return _done({"year_month": closure.year_month, "closed_at": closure.closed_at.isoformat()})


@blueprint.post("/months/<month>/reopen")
def reopen(month: str):
    """Reopen a closed month with a reason (administrators)."""
    reason = _body().get("reason")
    record = review.reopen_month(
        g.review_session, admin=g.reviewer, month=month, reason=str(reason or ""), now=_now()
    )
    return _done({"year_month": record.year_month, "reason": record.reason})
