"""Role grants an import asked for: an administrator confirms (确认) or rejects (拒绝) each."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from backend.db import writing
from backend.excel.templates import ROLE_LABELS as LABEL_TO_ROLE
from backend.org import grants
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import require_role, signed_in_account
from backend.web.console.common import audit
from backend.web.session import request_session

ROLE_LABELS = {code: label for label, code in LABEL_TO_ROLE.items()}
GRANT_STATUS_LABELS = {"confirmed": "已确认", "rejected": "已拒绝", "superseded": "已被新名册取代"}


@blueprint.get("/grants")
@require_role("admin")
def grants_page():
    """List the role grants waiting for confirmation, and the latest decided ones."""
    db = request_session()
    return render_template(
        "console/grants.html",
        pending=grants.grant_rows(db, pending=True),
        decided=grants.grant_rows(db, pending=False),
        roles=ROLE_LABELS,
        statuses=GRANT_STATUS_LABELS,
    )


@blueprint.post("/grants/<int:grant_id>/confirm")
@require_role("admin")
def grant_confirm(grant_id: int):
    """Give the member the requested role."""
    return _decide(grant_id, grants.confirm_grant, "role_grant_confirm", "已确认授权")


@blueprint.post("/grants/<int:grant_id>/reject")
@require_role("admin")
def grant_reject(grant_id: int):
    """Refuse the requested role."""
    return _decide(grant_id, grants.reject_grant, "role_grant_reject", "已拒绝授权")


def _decide(grant_id: int, decide, action: str, done: str):
    try:
        with writing(runtime().engine) as db:
            grant = decide(db, grant_id=grant_id, account=signed_in_account())
            audit(db, action, f"staff:{grant.staff_id}", str(grant.role))
    except grants.GrantError as error:
        abort(400, description=str(error))
    flash(done, "success")
    return redirect(url_for("console.grants_page"))
