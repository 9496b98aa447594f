"""The round's 专报 and a unit's feedback report as A4 PDFs (WeasyPrint, the CJK font embedded)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from backend.common.pdf import html_pdf, template
from backend.evaluation.results import texts
from backend.evaluation.results.report_data import (
    RoundReport,
    StaffingUse,
    UnitFeedback,
    round_report,
    unit_feedback,
)
from backend.evaluation.results.structure import STRUCTURE_COLUMNS, structure_cells

TEMPLATES = Path(__file__).resolve().parent / "templates"


def number(value: float | None, places: int = 2) -> str:
    """Return a figure for print: trailing zeros dropped, "—" when missing."""
    if value is None:
        return texts.NO_OUTPUT
    return f"{round(value, places):.{places}f}".rstrip("0").rstrip(".")


def summary_text(report: RoundReport) -> str:
    """Return the 总体情况 paragraph."""
    counts = report.colour_counts
    return texts.SUMMARY.format(
        start=report.round.period_start.isoformat(),
        end=report.round.period_end.isoformat(),
        units=len(report.units),
        average=number(report.average),
        green=counts["green"],
        yellow=counts["yellow"],
        red=counts["red"],
        problems=len(report.problems),
    )


def staffing_cells(use: StaffingUse) -> list[object]:
    """Return a unit's staffing columns after its name (shared by the PDF and the XLSX)."""
    return [
        use.approved,
        use.actual,
        use.vacancies,
        use.over_quota,
        use.cases,
        None if use.per_post is None else round(use.per_post, 2),
        None if use.county_per_post is None else round(use.county_per_post, 2),
    ]


def round_report_pdf(session: Session, round_id: int) -> bytes:
    """Render a finished round's 专报; EvaluationError 409 while the round is open."""
    report = round_report(session, round_id=round_id)
    html = template(TEMPLATES, "round_report.html").render(
        title=texts.REPORT_TITLE.format(name=report.round.name),
        report=report,
        summary=summary_text(report),
        staffing=[(u.unit, [_cell(v) for v in staffing_cells(u.staffing)]) for u in report.units],
        structure=[[_cell(v) for v in structure_cells(u)] for u in report.structure],
        structure_columns=STRUCTURE_COLUMNS,
        texts=texts,
        number=number,
    )
    return html_pdf(html)


def unit_feedback_pdf(session: Session, round_id: int, department_id: int) -> bytes:
    """Render one unit's feedback report (反馈报告) of a finished round."""
    feedback = unit_feedback(session, round_id=round_id, department_id=department_id)
    html = template(TEMPLATES, "unit_feedback.html").render(
        title=texts.FEEDBACK_TITLE.format(name=feedback.round.name, unit=feedback.unit.unit),
        feedback=feedback,
        summary=_feedback_summary(feedback),
        texts=texts,
        number=number,
    )
    return html_pdf(html)


def _feedback_summary(feedback: UnitFeedback) -> str:
    unit = feedback.unit
    return texts.FEEDBACK_SUMMARY.format(
        unit=unit.unit,
        score=number(unit.score),
        total=feedback.total_units,
        rank=unit.rank,
        colour=unit.colour_label,
    )


def _cell(value: object) -> str:
    if value is None:
        return texts.NO_OUTPUT
    return number(value) if isinstance(value, float) else str(value)
