"""The round's 专报 data as an XLSX workbook through the project's formula-safe writer."""

from __future__ import annotations

from sqlmodel import Session

from backend.evaluation.results import texts
from backend.evaluation.results.report_data import Problem, round_report
from backend.evaluation.results.report_pdf import staffing_cells
from backend.evaluation.results.structure import STRUCTURE_COLUMNS, structure_cells
from backend.reports.xlsx import Sheet, render_xlsx


def problem_row(problem: Problem) -> list[object]:
    """Return one ledger row: unit, problem, found on, status, measure, deadline."""
    deadline = problem.deadline.isoformat() if problem.deadline else None
    return [
        problem.unit,
        problem.problem,
        problem.found_on.isoformat(),
        problem.status,
        problem.measure,
        deadline,
    ]


def round_report_xlsx(session: Session, round_id: int) -> bytes:
    """Write a finished round's ranking, staffing use and open problems as four sheets."""
    report = round_report(session, round_id=round_id)
    ranking = [[u.rank, u.unit, u.score, u.colour_label, u.measure] for u in report.units]
    staffing = [[u.unit, *staffing_cells(u.staffing)] for u in report.units]
    return render_xlsx(
        [
            Sheet(texts.SHEET_RANKING, texts.RANKING_COLUMNS, ranking, [6, 28, 10, 8, 30]),
            Sheet(
                texts.SHEET_STAFFING,
                texts.STAFFING_COLUMNS,
                staffing,
                [28, 10, 10, 8, 8, 10, 12, 14],
            ),
            Sheet(
                texts.SHEET_STRUCTURE,
                STRUCTURE_COLUMNS,
                [structure_cells(u) for u in report.structure],
                [28] + [9] * (len(STRUCTURE_COLUMNS) - 1),
            ),
            Sheet(
                texts.SHEET_PROBLEMS,
                texts.PROBLEM_COLUMNS,
                [problem_row(p) for p in report.problems],
                [24, 50, 12, 10, 40, 12],
            ),
        ]
    )
