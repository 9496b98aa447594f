"""The absences page under /console/schedule: leave and trips, typed in chat or from approvals."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request

from backend.models.schedule import ABSENCE_LABELS, ABSENCE_SOURCE_LABELS, AbsenceSource
from backend.org.queries import department_names
from backend.runtime import runtime
from backend.schedule.absences import MAX_DAYS_BACK, MAX_LISTED, listed_absences
from backend.web.console.access import require_role, signed_in_account, visible_department_ids
from backend.web.session import request_session

blueprint = Blueprint("console_absences", __name__, url_prefix="/console/schedule")


@blueprint.get("/absences")
@require_role("admin", "reviewer", "head")
def absence_list():
    """List the absences of the last month and ahead, with where each came from."""
    db = request_session()
    wanted = request.args.get("source", "")
    source = AbsenceSource(wanted) if wanted in AbsenceSource.__members__.values() else None
    since = runtime().clock().date() - timedelta(days=MAX_DAYS_BACK)
    rows = listed_absences(
        db,
        since=since,
        department_ids=visible_department_ids(db, signed_in_account()),
        source=source,
    )
    return render_template(
        "schedule/absences.html",
        rows=rows,
        since=since,
        source=source,
        sources=ABSENCE_SOURCE_LABELS,
        kinds=ABSENCE_LABELS,
        departments=department_names(db),
        limit=MAX_LISTED,
    )
