"""The review queue: flagged entries first; approve, return with a reason, or approve in bulk."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from backend.db import writing
from backend.entries.queries import find_entry
from backend.entries.review import service as review
from backend.entries.review.current import pending_page
from backend.entries.review.errors import ReviewError
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import acting_reviewer, require_role, signed_in_account
from backend.web.console.common import PAGE_SIZE, audit, page_number, visible_departments
from backend.web.console.form_fields import WebForm, filled
from backend.web.console.forms import BackForm, BulkApproveForm, ReturnForm
from backend.web.inputs import safe_target
from backend.web.session import request_session

REVIEWERS = ("admin", "reviewer")


@blueprint.get("/review")
@require_role()
def review_queue():
    """List submitted entries waiting for review, with their flags as they stand now."""
    return _queue_page()


def _queue_page(failed: WebForm | None = None, status: int = 200):
    """Render the queue; `failed` is a form shown again with its errors."""
    account, page = signed_in_account(), page_number()
    flagged_only = request.args.get("flagged") == "1"
    db = request_session()
    queue = pending_page(
        db,
        department_ids=_scope(db, account),
        reviewer_id=account.staff_id,
        flagged_only=flagged_only,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    flagged, unflagged = queue.flagged, queue.unflagged
    return render_template(
        "console/review.html",
        views=queue.views,
        flagged=flagged,
        unflagged=unflagged,
        page=page,
        flagged_only=flagged_only,
        may_review=account.role in REVIEWERS,
        departments=visible_departments(db),
        pages=-(-(flagged if flagged_only else flagged + unflagged) // PAGE_SIZE),
        failed=failed,
        back=_back() if failed else request.full_path,
    ), status


def _scope(db, account) -> list[int] | None:
    """Return the departments this account reviews: the review area's one definition."""
    return review.review_scope(db, role=account.role, department_id=account.department_id)


def _ensure_reviewable(db, account, department_id: int) -> None:
    """Abort with 404 when the department is outside what the account reviews."""
    allowed = _scope(db, account)
    if allowed is not None and department_id not in allowed:
        abort(404, description="找不到该部门的数据")


def _act(entry_id: int, action) -> None:
    account = signed_in_account()
    try:
        with writing(runtime().engine) as db:
            entry = find_entry(db, entry_id=entry_id)
            if entry is None:
                abort(404, description="找不到这条履职记录")
            _ensure_reviewable(db, account, entry.department_id)
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
    form = ReturnForm()
    form.row = entry_id
    if not form.validate():
        flash(form.first_error(), "error")
        return _queue_page(form, 400)
    now, reason = runtime().clock(), form.reason.data

    def send_back(db, reviewer):
        review.return_entry(db, reviewer=reviewer, entry_id=entry_id, reason=reason, now=now)
        audit(db, "entry_return", str(entry_id), reason)

    _act(entry_id, send_back)
    flash("已退回，并通知填报人修改", "success")
    return redirect(_back())


@blueprint.post("/review/bulk-approve")
@require_role(*REVIEWERS)
def review_bulk_approve():
    """Approve a department's unflagged entries of a period in one go."""
    account, form = signed_in_account(), BulkApproveForm()
    if not form.validate():
        return _queue_page(form, 400)
    department_id = filled(form.department_id.data)
    start, end = filled(form.start.data), filled(form.end.data)
    try:
        with writing(runtime().engine) as db:
            _ensure_reviewable(db, account, department_id)
            count = review.bulk_approve_unflagged(
                db,
                reviewer=acting_reviewer(account),
                department_id=department_id,
                start=start,
                end=end,
                now=runtime().clock(),
            )
            audit(db, "entry_bulk_approve", str(department_id), f"{start}..{end}: {count}")
    except ReviewError as error:
        abort(error.status, description=error.message)
    flash(f"已批量通过 {count} 条无疑点的记录", "success")
    return redirect(url_for("console.review_queue"))


def _back() -> str:
    fallback = url_for("console.review_queue")
    return safe_target(BackForm().back.data, fallback, prefix="/console/review")
