"""Console requests for a finished round's results: the 专报, unit feedback, quarterly sheet.

Each request is checked here (finished round, the unit in it, a valid quarter, who may ask) and
the file is rendered by a job; the job page offers the download when it is ready.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, request

from backend.evaluation.errors import EvaluationError
from backend.evaluation.results import files
from backend.runtime import runtime
from backend.web.console.access import ensure_visible, require_role, signed_in_account
from backend.web.console.jobs import start_job
from backend.web.session import request_session

blueprint = Blueprint(
    "console_evaluation_results", __name__, url_prefix="/console/evaluation/results"
)


def _queue(make_payload: Callable[[], dict]):
    """Check the request, then queue the job; a refused request answers its status in Chinese."""
    try:
        payload = make_payload()
    except EvaluationError as error:
        abort(error.status, description=error.message)
    return start_job(files.JOB_KIND, payload)


@blueprint.post("/rounds/<int:round_id>/report.pdf")
@require_role("admin")
def report_pdf(round_id: int):
    """Generate a finished round's 专报 as PDF."""
    session = request_session()
    return _queue(lambda: files.round_file_request(session, what="report_pdf", round_id=round_id))


@blueprint.post("/rounds/<int:round_id>/report.xlsx")
@require_role("admin")
def report_xlsx(round_id: int):
    """Generate a finished round's 专报 data as XLSX."""
    session = request_session()
    return _queue(lambda: files.round_file_request(session, what="report_xlsx", round_id=round_id))


@blueprint.post("/rounds/<int:round_id>/units/<int:department_id>/feedback.pdf")
@require_role("admin", "head")
def feedback_pdf(round_id: int, department_id: int):
    """Generate one unit's feedback report (a head: only for the own units)."""
    session = request_session()
    ensure_visible(session, signed_in_account(), department_id)
    return _queue(
        lambda: files.feedback_request(session, round_id=round_id, department_id=department_id)
    )


@blueprint.post("/quarterly.xlsx")
@require_role("admin")
def quarterly_xlsx():
    """Generate a quarter's 平时考核 per-person summary (blank: the current quarter)."""
    today = runtime().clock().date()
    return _queue(
        lambda: files.quarterly_request(
            request.form.get("year", ""), request.form.get("quarter", ""), today=today
        )
    )
