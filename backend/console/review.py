"""The review queue: flagged entries first; approve, return with a reason, or approve in bulk."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import Session

from backend.console import blueprint
from backend.console.access import (
    acting_reviewer,
    current_account,
    ensure_visible,
    require_role,
    visible_department_ids,
)
from backend.console.common import PAGE_SIZE, audit, page_number, visible_departments
from backend.db import session_scope
from backend.models import DutyEntry
from backend.review.errors import ReviewError
from backend.review.pending import pending_counts, pending_date_range, pending_views
from backend.runtime import runtime
from backend.services import review

REVIEWERS = ("admin", "reviewer")


@blueprint.get("/review")
@require_role()
def review_queue():
    """List submitted entries waiting for review within the account's departments."""
    account, page = current_account(), page_number()
    flagged_only = request.args.get("flagged") == "1"
    with session_scope(runtime().engine) as db:
        allowed = visible_department_ids(db, account)
        scope = None if allowed is None else sorted(allowed)
        _refresh_flags(db, scope)
        views = pending_views(
            db, department_ids=scope, reviewer_id=account.staff_id, flagged_only=flagged_only,
            limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
        )  # fmt: skip
        flagged, unflagged = pending_counts(db, department_ids=scope, reviewer_id=account.staff_id)
        departments = visible_departments(db)
    return render_template(
        "console/review.html", views=views, flagged=flagged, unflagged=unflagged, page=page,
        flagged_only=flagged_only, may_review=account.role in REVIEWERS, departments=departments,
        pages=-(-(flagged if flagged_only else flagged + unflagged) // PAGE_SIZE),
    )  # fmt: skip


def _refresh_flags(db: Session, scope: list[int] | None) -> None:
    """Recompute the waiting entries' flags (a colleague's later copy flags both)."""
    span = pending_date_range(db, department_ids=scope)
    if span is not None:
        review.refresh_flags(db, department_ids=scope, start=span[0], end=span[1])


def _act(entry_id: int, action) -> None:
    account = current_account()
    try:
        with session_scope(runtime().engine) as db:
            entry = db.get(DutyEntry, entry_id)
            if entry is None:
                abort(404, description="找不到这条履职记录")
            ensure_visible(db, account, entry.department_id)
            action(db, acting_reviewer(account))
    except ReviewError as error:
        abort(error.status, description=error.message)


@blueprint.post("/review/<int:entry_id>/approve")
@require_role(*REVIEWERS)
def review_approve(entry_id: int):
    """Approve one entry."""
    now = runtime().clock()

    def approve(db, reviewer):
        review.approve_entry(db, reviewer=reviewer, entry_id=entry_id, now=now)
        audit(db, "entry_approve", str(entry_id))

    _act(entry_id, approve)
    flash("已通过", "success")
    return redirect(_back())


@blueprint.post("/review/<int:entry_id>/return")
@require_role(*REVIEWERS)
def review_return(entry_id: int):
    """Return one entry to its author with a reason (they are told in WeCom)."""
    now, reason = runtime().clock(), request.form.get("reason", "")

    def send_back(db, reviewer):
        review.return_entry(db, reviewer=reviewer, entry_id=entry_id, reason=reason, now=now)
        audit(db, "entry_return", str(entry_id), reason.strip())

    _act(entry_id, send_back)
    flash("已退回，并通知填报人修改", "success")
    return redirect(_back())


@blueprint.post("/review/bulk-approve")
@require_role(*REVIEWERS)
def review_bulk_approve():
    """Approve a department's unflagged entries of a period in one go."""
    account, form = current_account(), request.form
    try:
        department_id = int(form.get("department_id", ""))
        start, end = date.fromisoformat(form["start"]), date.fromisoformat(form["end"])
    except (KeyError, ValueError):
        abort(400, description="请选择部门，并按 YYYY-MM-DD 填写起止日期")
    try:
        with session_scope(runtime().engine) as db:
            ensure_visible(db, account, department_id)
            count = review.bulk_approve_unflagged(
                db, reviewer=acting_reviewer(account), department_id=department_id,
                start=start, end=end, now=runtime().clock(),
            )  # fmt: skip
            audit(db, "entry_bulk_approve", str(department_id), f"{start}..{end}: {count}")
    except ReviewError as error:
        abort(error.status, description=error.message)
    flash(f"已批量通过 {count} 条无疑点的记录", "success")
    return redirect(url_for("console.review_queue"))


def _back() -> str:
    target = request.form.get("back", "")
    return target if target.startswith("/console/review") else url_for("console.review_queue")
