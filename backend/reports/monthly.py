"""The monthly 《部门履职评估分析报告》 of one department: PDF document and XLSX data (pure)."""

from __future__ import annotations

from datetime import date

from backend.reports import charts, texts
from backend.reports.analytics import METRIC_TEXTS, Figures
from backend.reports.data import DepartmentReport
from backend.reports.findings import findings, low_sections, percent, points_change
from backend.reports.headline import missing_text, tiles
from backend.reports.pdf import Chart, Document, Heading, Paragraph, Table, render_pdf

REPORT_METRICS = (
    "reporting_rate",
    "review_rate",
    "duty_coverage",
    "workload_ratio",
    "core_focus",
    "general_focus",
    "auxiliary_focus",
    "business_entries_share",
    "business_hours_share",
    "non_core_hours_share",
    "non_core_entries_share",
    "non_core_participants_share",
    "share_5h_and_over",
)


def monthly_pdf(report: DepartmentReport, *, today: date, low_threshold: float) -> bytes:
    """Render the department's report as PDF bytes."""
    return render_pdf(monthly_document(report, today=today, low_threshold=low_threshold))


def headline_rows(report: DepartmentReport) -> list[list[str]]:
    """Return the headline figures of the weekly image as table rows (the report's first page)."""
    return [[t.label, t.value, t.change or "—"] for t in tiles(report)]


def monthly_document(report: DepartmentReport, *, today: date, low_threshold: float) -> Document:
    """Assemble the report's headings, tables, charts and findings in order."""
    blocks = [
        Heading(texts.H_HEADLINE),
        Table(texts.HEADLINE_COLUMNS, headline_rows(report), widths=[2.5, 2, 3]),
        Paragraph(missing_text(report)),
        Heading(texts.H_OVERVIEW),
        Paragraph(overview(report)),
        Heading(texts.H_METRICS),
        Table(texts.METRIC_COLUMNS, metric_rows(report), widths=[3, 1.4, 1.4, 2]),
        Table(texts.DEFINITION_COLUMNS, definition_rows(), widths=[2, 5]),
        Heading(texts.H_CHARTS),
        *chart_blocks(report),
        Heading(texts.H_SECTIONS),
        Table(texts.SECTION_COLUMNS, section_rows(report), widths=[3, 1, 1.3, 1.3, 1.2, 1.5, 1.6]),
        Heading(texts.H_STAFFING),
        Table(texts.STAFFING_COLUMNS, staffing_rows(report), widths=[2.2, 1, 1.3, 1.2, 1.5, 1.6]),
        Heading(texts.H_GAPS),
        *gap_blocks(report, low_threshold),
        Heading(texts.H_FINDINGS),
        *[
            Paragraph(f"{n}. {line}")
            for n, line in enumerate(findings(report, low_threshold=low_threshold), start=1)
        ],
    ]
    return Document(
        title=texts.DEPT_REPORT_TITLE.format(department=report.name),
        subtitle=subtitle(report, today),
        blocks=blocks,
    )


def subtitle(report: DepartmentReport, today: date) -> str:
    """Return the line under the title: the period and the day it was made."""
    period = report.period
    return texts.DEPT_REPORT_SUBTITLE.format(
        label=period.label, start=_day(period.start), end=_day(period.end), today=_day(today)
    )


def overview(report: DepartmentReport) -> str:
    """Write the opening paragraph with the period's totals."""
    f = report.figures
    return texts.OVERVIEW.format(
        label=report.period.label,
        department=report.name,
        staff=f.staff_count,
        expected=f.expected_days,
        reported=f.reported_days,
        entries=f.entries,
        hours=_hours(f.hours),
        performed=f.duties_performed,
        duties=f.duties_total,
    )


def metric_rows(report: DepartmentReport) -> list[list[str]]:
    """Return one row per metric: name, this period, the period before, the change."""
    rows = []
    for key in REPORT_METRICS:
        now, before = getattr(report.figures, key), getattr(report.previous, key)
        rows.append(
            [METRIC_TEXTS[key][0], now.label(2), before.label(2), points_change(now, before)]
        )
    return rows


def definition_rows() -> list[list[str]]:
    """Return each metric's name and definition."""
    return [[METRIC_TEXTS[key][0], METRIC_TEXTS[key][1]] for key in REPORT_METRICS]


def chart_blocks(report: DepartmentReport) -> list:
    """Draw the period's charts as vector graphics on the report's pages."""
    figures, sections = report.figures, report.breakdown.sections
    bars = 60 + 22 * max(1, len(sections))
    return [
        Chart(lambda ax: charts.draw_function_types(ax, figures), 220),
        Chart(lambda ax: charts.draw_task_types(ax, figures, report.task_types), 200, 0.18),
        Chart(lambda ax: charts.draw_reporting_rates(ax, sections), bars, 0.3),
        Chart(lambda ax: charts.draw_daily_hours(ax, sections), bars, 0.3, below=30),
        Chart(lambda ax: charts.draw_trend(ax, report.trend), 200),
    ]


def _figure_cells(f: Figures) -> list[str]:
    return [
        f.reporting_rate.label(1),
        f.review_rate.label(1),
        _hours(f.hours),
        f.workload_ratio.label(1),
        f.core_focus.label(1),
    ]


def section_rows(report: DepartmentReport) -> list[list[str]]:
    """Return one row per section."""
    return [
        [s.name, str(s.figures.staff_count), *_figure_cells(s.figures)]
        for s in report.breakdown.sections
    ]


def staffing_rows(report: DepartmentReport) -> list[list[str]]:
    """Return one row per staffing type."""
    rows = []
    for group in report.breakdown.staffing_types:
        cells = _figure_cells(group.figures)
        rows.append([group.name, str(group.figures.staff_count), cells[0], *cells[2:]])
    return rows


def gap_blocks(report: DepartmentReport, low_threshold: float) -> list:
    """Describe the gaps: unperformed duties, low sections, problems, ratings, surveys."""
    return [
        Heading(texts.H_UNPERFORMED, 2),
        *_unperformed(report),
        Heading(texts.H_LOW_SECTIONS, 2),
        *_low_sections(report, low_threshold),
        Heading(texts.H_PROBLEMS, 2),
        *_problems(report),
        Heading(texts.H_RATINGS, 2),
        *_ratings(report),
        Heading(texts.H_SURVEYS, 2),
        *_surveys(report),
    ]


def _unperformed(report: DepartmentReport) -> list:
    gaps = report.gaps.unperformed if report.gaps else []
    if not gaps:
        return [Paragraph(texts.ALL_PERFORMED)]
    rows = [[str(g.seq), g.unit, g.title, g.function_type] for g in gaps]
    return [Table(texts.UNPERFORMED_COLUMNS, rows, widths=[0.7, 2.4, 6, 1.3])]


def _low_sections(report: DepartmentReport, threshold: float) -> list:
    low = low_sections(report, threshold)
    if not low:
        return [Paragraph(texts.NO_LOW_SECTIONS.format(threshold=percent(threshold)))]
    rows = [[s.name, str(s.figures.staff_count), *_figure_cells(s.figures)] for s in low]
    return [Table(texts.SECTION_COLUMNS, rows, widths=[3, 1, 1.3, 1.3, 1.2, 1.5, 1.6])]


def _problems(report: DepartmentReport) -> list:
    gaps = report.gaps
    if gaps is None or not gaps.problems:
        return [Paragraph(texts.NO_PROBLEMS)]
    shown = texts.PROBLEM_SHOWN.format(count=len(gaps.problems))
    summary = texts.PROBLEM_SUMMARY.format(
        flagged=gaps.flagged, returned=gaps.returned, shown=shown
    )
    rows = [
        [_day(p.work_date), p.staff, p.duty, f"{p.hours:g}", _status(p.status), p.reason]
        for p in gaps.problems
    ]
    return [
        Paragraph(summary),
        Table(texts.PROBLEM_COLUMNS, rows, widths=[1.6, 1.2, 3.4, 0.8, 1.1, 3.6]),
    ]


def _ratings(report: DepartmentReport) -> list:
    ratings = report.ratings
    if ratings is None:
        return [Paragraph(texts.NONE_YET)]
    summary = texts.RATING_SUMMARY.format(
        total=ratings.total,
        bad=ratings.bad,
        bad_rate=f"{ratings.bad_rate * 100:.1f}%",
        orders=ratings.work_orders,
        overdue=ratings.overdue,
    )
    rows = [[texts.RATING_LEVEL_LABELS.get(k, k), str(v)] for k, v in ratings.by_level.items()]
    return [Paragraph(summary), Table(texts.RATING_COLUMNS, rows, widths=[2, 1])]


def _surveys(report: DepartmentReport) -> list:
    if not report.survey_scores:
        return [Paragraph(texts.NONE_YET)]
    rows = [
        [s.title, texts.SURVEY_KIND_LABELS.get(s.kind, s.kind), f"{s.score:g}", str(s.responses)]
        for s in report.survey_scores
    ]
    return [Table(texts.SURVEY_COLUMNS, rows, widths=[5, 1.5, 1, 1])]


def _status(status: str) -> str:
    return texts.STATUS_LABELS.get(status, status)


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
