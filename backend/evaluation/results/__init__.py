"""Results of a finished evaluation round: the 专报 (PDF, XLSX), unit feedback, quarterly sheet."""

from backend.evaluation.results import files
from backend.evaluation.results.quarterly import quarter_period, quarterly_xlsx
from backend.evaluation.results.report_data import (
    RoundReport,
    UnitFeedback,
    download_name,
    round_report,
    unit_feedback,
)
from backend.evaluation.results.report_pdf import round_report_pdf, unit_feedback_pdf
from backend.evaluation.results.report_xlsx import round_report_xlsx

__all__ = [
    "RoundReport",
    "UnitFeedback",
    "download_name",
    "files",
    "quarter_period",
    "quarterly_xlsx",
    "round_report",
    "round_report_pdf",
    "round_report_xlsx",
    "unit_feedback",
    "unit_feedback_pdf",
]
