"""County reports for the administrators: ranking with the three-colour table, the core-function
report 《部门核心职能履行评估分析报告》 and the half-year / annual notice (通报) (pure)."""

from __future__ import annotations

from datetime import date

from backend.models.org import FunctionType
from backend.reports import texts
from backend.reports.analytics import METRIC_TEXTS, Ranked, rating_colour
from backend.reports.data import CountyReport
from backend.reports.pdf import Document, Heading, Paragraph, Table, render_pdf
from backend.reports.weekly import ranking
from backend.reports.xlsx import Sheet, render_xlsx

RANK_WIDTHS = [0.8, 3.2, 1.2, 1, 1.2, 1.2, 1.3, 1.3, 1.5]
CORE_LOW = 0.5


def _subtitle(county: CountyReport, today: date) -> str:
    period = county.period
    return texts.COUNTY_SUBTITLE.format(
        label=period.label, start=_day(period.start), end=_day(period.end), today=_day(today)
    )


def _colour(county: CountyReport, place: Ranked) -> str:
    return str(rating_colour(place.value or 0.0, county.scoring.thresholds))


def ranking_rows(county: CountyReport) -> tuple[list[list[str]], list[str]]:
    """Return the ranking table rows and each row's colour."""
    rows, fills = [], []
    for place in ranking(county):
        f, colour = place.item.figures, _colour(county, place)
        rows.append(
            [
                str(place.rank),
                place.item.name,
                f"{place.value:.2f}",
                _colour_name(colour),
                f.reporting_rate.label(1),
                f.review_rate.label(1),
                f.duty_coverage.label(1),
                f.workload_ratio.label(1),
                f.core_focus.label(1),
            ]
        )
        fills.append(colour)
    return rows, fills


def ranking_blocks(county: CountyReport) -> list:
    """Describe the scoring, the ranking table and the three-colour table."""
    rows, fills = ranking_rows(county)
    thresholds = county.scoring.thresholds
    weights = "、".join(
        f"{METRIC_TEXTS[k][0]}{w:g}" for k, w in county.scoring.weights.items() if w
    )
    intro = texts.RANKING_INTRO.format(
        count=len(rows),
        weights=weights,
        green_from=thresholds.green_from,
        yellow_from=thresholds.yellow_from,
    )
    counts = {c: fills.count(c) for c in ("green", "yellow", "red")}
    colour_rows = [
        [_colour_name(c), row[1], texts.COLOUR_ADVICE[c]]
        for row, c in zip(rows, fills, strict=True)
    ]
    return [
        Heading(texts.H_RANKING),
        Paragraph(intro),
        Table(texts.RANKING_COLUMNS, rows, widths=RANK_WIDTHS, fills=fills),
        Heading(texts.H_COLOURS),
        Paragraph(texts.COLOUR_COUNTS.format(**counts)),
        Table(texts.COLOUR_COLUMNS, colour_rows, widths=[1.2, 3.5, 5], fills=fills),
    ]


def ranking_pdf(county: CountyReport, *, today: date) -> bytes:
    """Render the county ranking with the three-colour table."""
    title = texts.COUNTY_REPORT_TITLE.format(label=county.period.label)
    return render_pdf(Document(title, _subtitle(county, today), ranking_blocks(county)))


def notice_pdf(county: CountyReport, *, today: date) -> bytes:
    """Render the half-year or annual notice (通报) ranking the departments."""
    label = county.period.label
    blocks = [
        Paragraph(texts.NOTICE_INTRO.format(label=label)),
        *ranking_blocks(county),
        Paragraph(texts.NOTICE_END),
    ]
    return render_pdf(
        Document(texts.NOTICE_TITLE.format(label=label), _subtitle(county, today), blocks)
    )


def core_rows(county: CountyReport) -> list[list[str]]:
    """Return each department's core-function figures, highest core focus first."""
    ordered = sorted(county.departments, key=lambda d: -(d.figures.core_focus.value or -1.0))
    rows = []
    for department in ordered:
        f = department.figures
        core_hours = f.hours_by_function.get(FunctionType.CORE, 0.0)
        rows.append(
            [
                department.name,
                str(f.duties_total),
                str(f.duties_performed),
                _hours(core_hours),
                f.core_focus.label(2),
                f.general_focus.label(2),
                f.auxiliary_focus.label(2),
            ]
        )
    return rows


def core_findings(county: CountyReport) -> list[str]:
    """Name the most focused department and those below half of hours on core duties."""
    valued = [
        (value, d) for d in county.departments if (value := d.figures.core_focus.value) is not None
    ]
    if not valued:
        return [texts.FIND_NO_ENTRIES]
    top = max(valued, key=lambda pair: pair[0])[1]
    lines = [texts.CORE_FINDING_TOP.format(name=top.name, value=top.figures.core_focus.label(2))]
    low = [d.name for value, d in valued if value < CORE_LOW]
    lines.append(
        texts.CORE_FINDING_LOW.format(names="、".join(low)) if low else texts.CORE_FINDING_ALL_OK
    )
    return lines


def core_pdf(county: CountyReport, *, today: date) -> bytes:
    """Render 《部门核心职能履行评估分析报告》 for the county."""
    blocks = [
        Heading(texts.H_CORE),
        Table(texts.CORE_COLUMNS, core_rows(county), widths=[3.2, 1.2, 1, 1.4, 1.5, 1.3, 1.3]),
        Heading(texts.H_CORE_FINDINGS),
        *[Paragraph(f"{n}. {line}") for n, line in enumerate(core_findings(county), start=1)],
    ]
    return render_pdf(Document(texts.CORE_REPORT_TITLE, _subtitle(county, today), blocks))


def county_xlsx(county: CountyReport) -> bytes:
    """Write the ranking and every department's metrics as an XLSX workbook."""
    rows, _ = ranking_rows(county)
    keys = list(METRIC_TEXTS)
    metric_rows = [
        [d.name, *[getattr(d.figures, k).percent(2) for k in keys]] for d in county.departments
    ]
    return render_xlsx(
        [
            Sheet(
                texts.SHEET_RANKING, texts.RANKING_COLUMNS, rows, [6, 28, 10, 8, 10, 10, 12, 12, 14]
            ),
            Sheet(texts.SHEET_METRICS, ["部门", *[METRIC_TEXTS[k][0] for k in keys]], metric_rows),
        ]
    )


def _colour_name(colour: str) -> str:
    return {"red": "红色", "yellow": "黄色", "green": "绿色"}[colour]


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
