"""Charts for the weekly summary and the monthly report: figures in, PNG bytes out.

Pure: no database, no network. Drawn with matplotlib's Agg canvas on `Figure` objects (no pyplot
state, safe in threads), 1080 px wide for a phone, Chinese text in Noto Sans CJK SC.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from backend.common.typeface import register_cjk_font
from backend.models.entries import DEFAULT_TASK_TYPES
from backend.models.org import FUNCTION_TYPE_LABELS, FunctionType
from backend.reports.analytics import (
    BUCKET_LABELS,
    DepartmentBreakdown,
    Figures,
    Ratio,
    SectionMetrics,
    WeekPoint,
)

DPI = 150
WIDTH_IN = 7.2  # 1080 px at 150 dpi
# A fixed title position: where matplotlib's automatic placement puts it for these charts (no
# ticks or labels above the axes), without measuring every axis again on each draw.
TITLE_Y = 1.0
TASK_TYPE_LABELS = {code: name for code, name, _, _ in DEFAULT_TASK_TYPES}
FUNCTION_COLOURS = {
    FunctionType.CORE: "#1f6fb2",
    FunctionType.GENERAL: "#f39c34",
    FunctionType.AUXILIARY: "#8c9aa8",
}
BUCKET_COLOURS = ("#d9534f", "#f0ad4e", "#5cb85c", "#2e7d32")
PAIR_COLOURS = ("#1f6fb2", "#f39c34")
TREND_LINES = (
    ("填报率", "reporting_rate", "#1f6fb2"),
    ("履职充分度", "workload_ratio", "#5cb85c"),
    ("核心职能聚焦度", "core_focus", "#d9534f"),
)
EMPTY_TEXT = "本期暂无履职数据"
TITLES = {
    "function": "职能类型工时占比",
    "task": "任务类型占比（按次数与按时长）",
    "hours": "日均有效工时分布（按科室）",
    "reporting": "填报率（按科室）",
    "trend": "近{weeks}周趋势",
    "no_trend": "周趋势",
}

Drawer = Callable[[Axes], None]


def function_type_chart(figures: Figures) -> bytes:
    """Draw the share of hours per function type (core, general, auxiliary) as a pie."""
    return _single(4.6, lambda ax: draw_function_types(ax, figures))


def task_type_chart(figures: Figures, *, labels: Mapping[str, str] | None = None) -> bytes:
    """Draw each task type's share of entries next to its share of hours."""
    return _single(4.4, lambda ax: draw_task_types(ax, figures, labels or TASK_TYPE_LABELS))


def daily_hours_chart(sections: Sequence[SectionMetrics]) -> bytes:
    """Draw, per section, the members in each daily-hours bucket as stacked 100% bars."""
    return _single(_bars_height(sections), lambda ax: draw_daily_hours(ax, sections))


def reporting_rate_chart(sections: Sequence[SectionMetrics]) -> bytes:
    """Draw the reporting rate of each section as horizontal bars."""
    return _single(_bars_height(sections), lambda ax: draw_reporting_rates(ax, sections))


def trend_chart(points: Sequence[WeekPoint]) -> bytes:
    """Draw reporting rate, workload ratio and core focus week by week."""
    return _single(4.2, lambda ax: draw_trend(ax, points))


def department_summary_chart(
    breakdown: DepartmentBreakdown, trend: Sequence[WeekPoint], *, title: str | None = None
) -> bytes:
    """Combine a department's five charts into one tall image for its weekly post."""
    department = breakdown.department
    sections = breakdown.sections
    panels: list[tuple[float, Drawer]] = [
        (4.2, lambda ax: draw_function_types(ax, department.figures)),
        (4.0, lambda ax: draw_task_types(ax, department.figures, TASK_TYPE_LABELS)),
        (_bars_height(sections), lambda ax: draw_daily_hours(ax, sections)),
        (_bars_height(sections), lambda ax: draw_reporting_rates(ax, sections)),
        (3.8, lambda ax: draw_trend(ax, trend)),
    ]
    figure = _figure(1.2 + sum(height for height, _ in panels))
    grid = figure.add_gridspec(len(panels), 1, height_ratios=[h for h, _ in panels])
    for row, (_, draw) in enumerate(panels):
        draw(figure.add_subplot(grid[row]))
    heading = title or f"{department.name}履职情况"
    period = f"{breakdown.start:%Y年%m月%d日}—{breakdown.end:%m月%d日}"
    figure.suptitle(f"{heading}\n{period}　{_key_figures(department.figures)}", fontsize=13)
    return _png(figure)


def draw_function_types(ax: Axes, figures: Figures) -> None:
    """Draw the function-type pie on `ax`."""
    kinds = [kind for kind in FunctionType if figures.hours_by_function.get(kind, 0.0) > 0]
    if not kinds:
        _empty(ax, TITLES["function"])
        return
    values = [figures.hours_by_function[kind] for kind in kinds]
    labels = [
        f"{FUNCTION_TYPE_LABELS[kind]}\n{figures.function_focus(kind).label(1)}" for kind in kinds
    ]
    ax.pie(
        values,
        labels=labels,
        colors=[FUNCTION_COLOURS[kind] for kind in kinds],
        startangle=90,
        counterclock=False,
        wedgeprops={"linewidth": 1, "edgecolor": "white"},
        textprops={"fontsize": 11},
    )
    ax.set_aspect("equal")
    ax.set_title(f"{TITLES['function']}（共{_hours(figures.hours)}小时）", fontsize=12, y=TITLE_Y)


def draw_task_types(ax: Axes, figures: Figures, labels: Mapping[str, str]) -> None:
    """Draw task-type shares by entries and by hours as paired horizontal bars on `ax`."""
    if not figures.entries:
        _empty(ax, TITLES["task"])
        return
    codes = [code for code in labels if code in figures.entries_by_task_type]
    codes += sorted(set(figures.entries_by_task_type) - set(codes))
    by_count = [figures.task_type_entries_share(code) for code in codes]
    by_hours = [figures.task_type_hours_share(code) for code in codes]
    rows = range(len(codes))
    height = 0.38
    for offset, shares, colour, name in (
        (-height / 2, by_count, PAIR_COLOURS[0], "按次数"),
        (height / 2, by_hours, PAIR_COLOURS[1], "按时长"),
    ):
        positions = [r + offset for r in rows]
        bars = ax.barh(positions, [_pct(s) for s in shares], height, color=colour, label=name)
        ax.bar_label(bars, labels=[s.label(2) for s in shares], padding=3, fontsize=9)
    ax.set_yticks(list(rows), [labels.get(code, code) for code in codes])
    _percent_axis(ax, 115)
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(TITLES["task"], fontsize=12, y=TITLE_Y)


def draw_daily_hours(ax: Axes, sections: Sequence[SectionMetrics]) -> None:
    """Draw the daily-hours buckets per section as stacked 100% bars on `ax`."""
    shown = [s for s in sections if s.figures.buckets.total]
    if not shown:
        _empty(ax, TITLES["hours"])
        return
    names = [s.name for s in shown]
    left = [0.0] * len(shown)
    for index, (label, colour) in enumerate(zip(BUCKET_LABELS, BUCKET_COLOURS, strict=True)):
        shares = [s.figures.buckets.counts[index] / s.figures.buckets.total * 100 for s in shown]
        ax.barh(names, shares, left=left, color=colour, label=label, height=0.6)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    for row, section in enumerate(shown):
        share = section.figures.share_5h_and_over.label(1)
        ax.text(101, row, f"≥5小时 {share}", va="center", fontsize=9)
    _percent_axis(ax, 130)
    ax.invert_yaxis()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, fontsize=9, frameon=False)
    ax.set_title(TITLES["hours"], fontsize=12, y=TITLE_Y)


def draw_reporting_rates(ax: Axes, sections: Sequence[SectionMetrics]) -> None:
    """Draw each section's reporting rate as horizontal bars on `ax`."""
    shown = [s for s in sections if s.figures.expected_days]
    if not shown:
        _empty(ax, TITLES["reporting"])
        return
    rates = [s.figures.reporting_rate for s in shown]
    bars = ax.barh([s.name for s in shown], [_pct(r) for r in rates], color="#1f6fb2", height=0.6)
    ax.bar_label(bars, labels=[r.label(1) for r in rates], padding=3, fontsize=9)
    _percent_axis(ax, 115)
    ax.invert_yaxis()
    ax.set_title(TITLES["reporting"], fontsize=12, y=TITLE_Y)


def draw_trend(ax: Axes, points: Sequence[WeekPoint]) -> None:
    """Draw the weekly trend lines on `ax`."""
    title = TITLES["trend"].format(weeks=len(points)) if points else TITLES["no_trend"]
    if not points:
        _empty(ax, title)
        return
    weeks = [f"{p.start.month}/{p.start.day}" for p in points]
    top = 100.0
    for label, metric, colour in TREND_LINES:
        values = [_pct(getattr(p.figures, metric), missing=math.nan) for p in points]
        ax.plot(weeks, values, marker="o", color=colour, label=label, linewidth=2)
        top = max([top, *(v for v in values if not math.isnan(v))])
    ax.set_ylim(0, top * 1.12)
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0f}%")
    ax.grid(axis="y", alpha=0.3)
    ax.set_xlabel("周（起始日）", fontsize=10)
    ax.legend(loc="lower left", ncol=3, fontsize=9)
    ax.set_title(title, fontsize=12, y=TITLE_Y)


def _single(height_in: float, draw: Drawer) -> bytes:
    figure = _figure(height_in)
    draw(figure.add_subplot())
    return _png(figure)


def _figure(height_in: float) -> Figure:
    register_cjk_font()
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _empty(ax: Axes, title: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, EMPTY_TEXT, ha="center", va="center", fontsize=13, color="#666666")
    ax.set_title(title, fontsize=12, y=TITLE_Y)


def _percent_axis(ax: Axes, limit: float) -> None:
    ax.set_xlim(0, limit)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0f}%")
    ax.grid(axis="x", alpha=0.3)


def _bars_height(sections: Sequence[SectionMetrics]) -> float:
    return 1.6 + 0.42 * max(1, len(sections))


def _pct(ratio: Ratio, missing: float = 0.0) -> float:
    value = ratio.value
    return missing if value is None else value * 100


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _key_figures(figures: Figures) -> str:
    return (
        f"填报率 {figures.reporting_rate.label(1)}　"
        f"履职全面度 {figures.duty_coverage.label(1)}　"
        f"核心职能聚焦度 {figures.core_focus.label(1)}"
    )
