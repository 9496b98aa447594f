"""Short findings in plain Chinese, generated from a department's figures and gaps (pure)."""

from __future__ import annotations

from backend.reports import texts
from backend.reports.analytics import Ratio, SectionMetrics
from backend.reports.data import DepartmentReport

CORE_LOW = 0.5
WORKLOAD_LOW, WORKLOAD_HIGH = 0.7, 1.2


def percent(value: float) -> str:
    """Format a 0–1 share as a whole-number percent ("80%")."""
    return f"{value * 100:g}%"


def low_sections(report: DepartmentReport, threshold: float) -> list[SectionMetrics]:
    """Return the sections whose reporting rate is below `threshold`."""
    return [
        s
        for s in report.breakdown.sections
        if s.figures.reporting_rate.value is not None and s.figures.reporting_rate.value < threshold
    ]


def findings(report: DepartmentReport, *, low_threshold: float) -> list[str]:
    """Return the report's findings, most important first."""
    figures = report.figures
    if not figures.entries:
        return [texts.FIND_NO_ENTRIES]
    found = [
        _reporting(figures.reporting_rate, low_threshold),
        _coverage(report),
        _core(figures.core_focus),
        _workload(figures.workload_ratio),
        _change(report),
    ]
    low = low_sections(report, low_threshold)
    if low:
        found.append(texts.FIND_LOW_SECTIONS.format(names="、".join(s.name for s in low)))
    if report.gaps and report.gaps.flagged + report.gaps.returned:
        found.append(
            texts.FIND_PROBLEMS.format(flagged=report.gaps.flagged, returned=report.gaps.returned)
        )
    return [line for line in found if line]


def _reporting(rate: Ratio, threshold: float) -> str:
    if rate.value is None:
        return ""
    template = texts.FIND_REPORTING_LOW if rate.value < threshold else texts.FIND_REPORTING_OK
    return template.format(value=rate.label(2), threshold=percent(threshold))


def _coverage(report: DepartmentReport) -> str:
    figures = report.figures
    unperformed = figures.duties_total - figures.duties_performed
    if not unperformed:
        return texts.FIND_COVERAGE_FULL
    return texts.FIND_COVERAGE.format(
        duties=figures.duties_total, unperformed=unperformed, value=figures.duty_coverage.label(2)
    )


def _core(core: Ratio) -> str:
    if core.value is None:
        return ""
    template = texts.FIND_CORE_LOW if core.value < CORE_LOW else texts.FIND_CORE_OK
    return template.format(value=core.label(2))


def _workload(workload: Ratio) -> str:
    if workload.value is None:
        return ""
    if workload.value < WORKLOAD_LOW:
        return texts.FIND_WORKLOAD_LOW.format(value=workload.label(2))
    if workload.value > WORKLOAD_HIGH:
        return texts.FIND_WORKLOAD_HIGH.format(value=workload.label(2))
    return texts.FIND_WORKLOAD_OK.format(value=workload.label(2))


def points_change(current: Ratio, previous: Ratio) -> str:
    """Describe a change in percentage points in words ("上升1.2个百分点"), or ""."""
    now, before = current.percent(1), previous.percent(1)
    if now is None or before is None:
        return ""
    points = round(now - before, 1)
    if points > 0:
        return texts.UP_POINTS.format(points=f"{points:g}")
    if points < 0:
        return texts.DOWN_POINTS.format(points=f"{-points:g}")
    return texts.SAME_POINTS


def _change(report: DepartmentReport) -> str:
    reporting = points_change(report.figures.reporting_rate, report.previous.reporting_rate)
    coverage = points_change(report.figures.duty_coverage, report.previous.duty_coverage)
    if not reporting or not coverage:
        return ""
    return texts.FIND_CHANGE.format(reporting=reporting, coverage=coverage)
