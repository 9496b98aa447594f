"""Console downloads of a finished round's results: the 专报, unit feedback, quarterly sheet."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Blueprint, abort, request, send_file

from backend.evaluation import results
from backend.evaluation.errors import EvaluationError
from backend.evaluation.results import texts
from backend.web.console.access import ensure_visible, require_role, signed_in_account
from backend.web.console.jobs import MIMETYPES
from backend.web.session import request_session

blueprint = Blueprint(
    "console_evaluation_results", __name__, url_prefix="/console/evaluation/results"
)


def _send(data: bytes, name: str):
    mimetype = MIMETYPES[name[name.rfind(".") :]]
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def _file(make: Callable[[], bytes], name: Callable[[], str]):
    """Build a file and its name, turning an EvaluationError into its status and message."""
    try:
        return _send(make(), name())
    except EvaluationError as error:
        abort(error.status, description=error.message)


@blueprint.get("/rounds/<int:round_id>/report.pdf")
@require_role("admin")
def report_pdf(round_id: int):
    """Download a finished round's 专报 as PDF."""
    session = request_session()
    return _file(
        lambda: results.round_report_pdf(session, round_id),
        lambda: results.download_name(session, round_id=round_id, ext="pdf"),
    )


@blueprint.get("/rounds/<int:round_id>/report.xlsx")
@require_role("admin")
def report_xlsx(round_id: int):
    """Download a finished round's 专报 data as XLSX."""
    session = request_session()
    return _file(
        lambda: results.round_report_xlsx(session, round_id),
        lambda: results.download_name(session, round_id=round_id, ext="xlsx"),
    )


@blueprint.get("/rounds/<int:round_id>/units/<int:department_id>/feedback.pdf")
@require_role("admin", "head")
def feedback_pdf(round_id: int, department_id: int):
    """Download one unit's feedback report (a head: only for the own units)."""
    session = request_session()
    ensure_visible(session, signed_in_account(), department_id)
    return _file(
        lambda: results.unit_feedback_pdf(session, round_id, department_id),
        lambda: results.download_name(
            session, round_id=round_id, ext="pdf", department_id=department_id
        ),
    )


@blueprint.get("/quarterly.xlsx")
@require_role("admin")
def quarterly_xlsx():
    """Download the quarter's 平时考核 per-person summary."""
    year, quarter = request.args.get("year", ""), request.args.get("quarter", "")
    try:
        start, _ = results.quarter_period(year, quarter)
    except EvaluationError as error:
        abort(error.status, description=error.message)
    number = (start.month + 2) // 3
    name = texts.QUARTERLY_FILE.format(year=start.year, quarter=number)
    return _file(
        lambda: results.quarterly_xlsx(request_session(), start.year, number), lambda: name
    )
