"""Result files as jobs: check a request on the request path, render the file in the job runner."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from backend.evaluation.errors import EvaluationError
from backend.evaluation.results import texts
from backend.evaluation.results.quarterly import quarter_period, quarterly_xlsx
from backend.evaluation.results.report_data import download_name, finished_round, unit_feedback
from backend.evaluation.results.report_pdf import round_report_pdf, unit_feedback_pdf
from backend.evaluation.results.report_xlsx import round_report_xlsx

JOB_KIND = "evaluation_result"
ROUND_FILES = ("report_pdf", "report_xlsx")


def round_file_request(session: Session, *, what: str, round_id: int) -> dict:
    """Return the job payload for a round's 专报 file; EvaluationError while it is not finished."""
    if what not in ROUND_FILES:
        raise EvaluationError(texts.ERR_FILE_KIND, 404)
    finished_round(session, round_id)
    return {"what": what, "round_id": round_id}


def feedback_request(session: Session, *, round_id: int, department_id: int) -> dict:
    """Return the job payload for a unit's feedback report (the unit must be in the round)."""
    unit_feedback(session, round_id=round_id, department_id=department_id)
    return {"what": "feedback_pdf", "round_id": round_id, "department_id": department_id}


def quarterly_request(year: object, quarter: object, *, today: date) -> dict:
    """Return the job payload for a quarter's summary (a blank year or quarter: today's)."""
    if not str(year or "").strip():
        year = today.year
    if not str(quarter or "").strip():
        quarter = (today.month + 2) // 3
    start, _ = quarter_period(year, quarter)
    return {"what": "quarterly_xlsx", "year": start.year, "quarter": (start.month + 2) // 3}


def render(session: Session, payload: dict) -> tuple[str, bytes]:
    """Render the file a payload asks for and return its Chinese file name and bytes."""
    what = payload["what"]
    if what == "quarterly_xlsx":
        year, quarter = payload["year"], payload["quarter"]
        name = texts.QUARTERLY_FILE.format(year=year, quarter=quarter)
        return name, quarterly_xlsx(session, year, quarter)
    round_id = payload["round_id"]
    if what == "feedback_pdf":
        dept = payload["department_id"]
        name = download_name(session, round_id=round_id, ext="pdf", department_id=dept)
        return name, unit_feedback_pdf(session, round_id, dept)
    if what == "report_pdf":
        return download_name(session, round_id=round_id, ext="pdf"), round_report_pdf(
            session, round_id
        )
    return download_name(session, round_id=round_id, ext="xlsx"), round_report_xlsx(
        session, round_id
    )
