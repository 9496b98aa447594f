"""The weekly summary: one combined chart image and one markdown message per department,
and a county-wide markdown summary with the department ranking (pure: data in, content out)."""

from __future__ import annotations

from backend.reports import texts
from backend.reports.analytics import (
    METRIC_TEXTS,
    PersonMetrics,
    Ratio,
    rank_departments,
    rating_colour,
)
from backend.reports.analytics import score as weighted_score
from backend.reports.data import CountyReport, DepartmentReport
from backend.reports.summary_image import summary_image
from bot.neutral import for_markdown_line

WEEKLY_METRICS = (
    "reporting_rate",
    "review_rate",
    "duty_coverage",
    "workload_ratio",
    "core_focus",
    "business_hours_share",
    "share_5h_and_over",
)
MARKDOWN_BUDGET = 2000  # bytes: app-chat markdown allows 2,048
MISSING_SHOWN = 15


def weekly_image(report: DepartmentReport) -> bytes:
    """Render the department's charts as one PNG for its group."""
    title = f"{report.name} · 履职周报"
    return summary_image(report, title=title)


def change_text(current: Ratio, previous: Ratio) -> str:
    """Describe the change from the previous period in percentage points."""
    now, before = current.percent(1), previous.percent(1)
    if now is None or before is None:
        return texts.CHANGE_NONE
    points = round(now - before, 1)
    if points > 0:
        return texts.CHANGE_UP.format(points=f"{points:g}")
    if points < 0:
        return texts.CHANGE_DOWN.format(points=f"{-points:g}")
    return texts.CHANGE_SAME


def metric_lines(report: DepartmentReport) -> list[str]:
    """Return one line per key metric with its change from the previous period."""
    lines = []
    for key in WEEKLY_METRICS:
        current = _ratio(report.figures, key)
        previous = _ratio(report.previous, key)
        name = METRIC_TEXTS[key][0]
        change = change_text(current, previous)
        lines.append(texts.WEEKLY_LINE.format(name=name, value=current.label(1), change=change))
    return lines


def _ratio(figures, key: str) -> Ratio:
    return getattr(figures, key)


def weekly_markdown(report: DepartmentReport, *, list_missing: bool = True) -> str:
    """Write the department's weekly markdown: key figures, changes, who has missing days."""
    figures = report.figures
    head = [
        texts.WEEKLY_TITLE.format(department=for_markdown_line(report.name)),
        texts.WEEKLY_PERIOD.format(label=report.period.label),
    ]
    if not figures.entries:
        head.append(texts.NO_ENTRIES_WEEK)
    head.append(
        texts.WEEKLY_TOTALS.format(
            entries=figures.entries,
            hours=_hours(figures.hours),
            participants=figures.participants,
            staff=figures.staff_count,
        )
    )
    body = "\n".join([*head, *metric_lines(report)])
    tail = texts.WEEKLY_FOOT
    if list_missing:
        budget = MARKDOWN_BUDGET - len((body + tail).encode()) - 4
        body += "\n\n" + missing_block(report, budget)
    return body + "\n" + tail


def missing_block(report: DepartmentReport, budget: int) -> str:
    """List members with unexcused missing workdays, most first, within `budget` bytes."""
    missing = [(report.days_missing(p), p) for p in report.breakdown.people]
    missing = sorted(((days, p) for days, p in missing if days), key=lambda m: (-m[0], m[1].name))
    if not missing:
        return texts.MISSING_NONE
    lines = [texts.MISSING_HEAD]
    for shown, (days, person) in enumerate(missing):
        line = _missing_line(person, days)
        more = texts.MISSING_MORE.format(count=len(missing) - shown)
        if shown >= MISSING_SHOWN or len("\n".join([*lines, line, more]).encode()) > budget:
            return "\n".join([*lines, more])
        lines.append(line)
    return "\n".join(lines)


def _missing_line(person: PersonMetrics, days: int) -> str:
    section = f"（{for_markdown_line(person.section_name)}）" if person.section_name else ""
    return texts.MISSING_LINE.format(
        name=for_markdown_line(person.name), section=section, days=days
    )


def county_markdown(county: CountyReport) -> str:
    """Write the county-wide weekly summary with the department ranking by score."""
    totals = _county_totals(county)
    lines = [
        texts.COUNTY_TITLE,
        texts.WEEKLY_PERIOD.format(label=county.period.label),
        texts.COUNTY_TOTALS.format(
            departments=len(county.departments), entries=totals["entries"], hours=totals["hours"]
        ),
        texts.COUNTY_RATES.format(**totals["rates"]),
        "",
        texts.COUNTY_RANK_HEAD,
    ]
    for place in ranking(county):
        lines.append(
            texts.COUNTY_RANK_LINE.format(
                rank=place.rank,
                name=for_markdown_line(place.item.name),
                score=f"{place.value:.1f}",
                colour=texts.COLOUR_MARKS[rating_colour(place.value, county.scoring.thresholds)],
                reporting=place.item.figures.reporting_rate.label(1),
            )
        )
    return "\n".join(lines)


def ranking(county: CountyReport):
    """Rank the departments by their weighted score."""
    weights = county.scoring.weights
    return rank_departments(county.departments, lambda f: weighted_score(f, weights))


def _county_totals(county: CountyReport) -> dict:
    all_figures = [d.figures for d in county.departments]
    sums = {
        name: sum(getattr(f, name) for f in all_figures)
        for name in ("entries", "hours", "reported_days", "expected_days", "reviewed_entries")
    }
    sums["duties_performed"] = sum(f.duties_performed for f in all_figures)
    sums["duties_total"] = sum(f.duties_total for f in all_figures)
    rates = {
        "reporting": Ratio(sums["reported_days"], sums["expected_days"]).label(1),
        "review": Ratio(sums["reviewed_entries"], sums["entries"]).label(1),
        "coverage": Ratio(sums["duties_performed"], sums["duties_total"]).label(1),
    }
    return {"entries": sums["entries"], "hours": _hours(sums["hours"]), "rates": rates}


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
