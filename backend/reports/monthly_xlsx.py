"""The data behind a department's monthly report, as an XLSX workbook (pure)."""

from __future__ import annotations

from backend.models.org import STAFFING_TYPE_LABELS
from backend.reports import texts
from backend.reports.analytics import METRIC_TEXTS
from backend.reports.data import DepartmentReport
from backend.reports.monthly import REPORT_METRICS, section_rows, staffing_rows
from backend.reports.xlsx import Sheet, render_xlsx


def monthly_xlsx(report: DepartmentReport) -> bytes:
    """Write the data behind the report as an XLSX workbook."""
    people = report.breakdown.people
    gaps = report.gaps
    return render_xlsx(
        [
            Sheet(
                texts.SHEET_METRICS,
                texts.XLSX_METRIC_COLUMNS,
                _metric_sheet_rows(report),
                [26, 12, 12, 60],
            ),
            Sheet(
                texts.SHEET_SECTIONS,
                texts.SECTION_COLUMNS,
                section_rows(report),
                [28, 8, 10, 10, 10, 12, 14],
            ),
            Sheet(
                texts.SHEET_STAFFING,
                texts.STAFFING_COLUMNS,
                staffing_rows(report),
                [16, 8, 10, 10, 12, 14],
            ),
            Sheet(
                texts.SHEET_PEOPLE,
                texts.PEOPLE_COLUMNS,
                [_person_row(p) for p in people],
                [10, 24, 14, 12, 12, 10, 8, 8, 12],
            ),
            Sheet(
                texts.SHEET_UNPERFORMED,
                texts.UNPERFORMED_COLUMNS,
                [
                    [g.seq, g.unit, g.title, g.function_type]
                    for g in (gaps.unperformed if gaps else [])
                ],
                [6, 24, 70, 10],
            ),
            Sheet(
                texts.SHEET_PROBLEMS,
                texts.PROBLEM_COLUMNS,
                [
                    [p.work_date.isoformat(), p.staff, p.duty, p.hours, _status(p.status), p.reason]
                    for p in (gaps.problems if gaps else [])
                ],
                [12, 10, 40, 6, 8, 50],
            ),
        ]
    )


def _metric_sheet_rows(report: DepartmentReport) -> list[list[object]]:
    rows = []
    for key in REPORT_METRICS:
        now, before = getattr(report.figures, key), getattr(report.previous, key)
        rows.append([METRIC_TEXTS[key][0], now.percent(2), before.percent(2), METRIC_TEXTS[key][1]])
    return rows


def _person_row(person) -> list[object]:
    f = person.figures
    return [
        person.name,
        person.section_name,
        STAFFING_TYPE_LABELS.get(person.staffing_type, str(person.staffing_type)),
        f.expected_days,
        f.reported_days,
        f.reporting_rate.percent(2),
        f.entries,
        round(f.hours, 2),
        f.core_focus.percent(2),
    ]


def _status(status: str) -> str:
    return texts.STATUS_LABELS.get(status, status)
