"""Charts: PNG bytes 1080 px wide, under 2 MB, Chinese drawn without a single missing glyph."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from backend.common.typeface import font_path, register_cjk_font
from backend.models import FunctionType
from backend.reports import charts
from backend.reports.analytics import (
    DepartmentBreakdown,
    DepartmentMetrics,
    Figures,
    HoursBuckets,
    SectionMetrics,
    WeekPoint,
)
from tests.support.glyphs import glyph_problems

MAX_BYTES = 2 * 1024 * 1024
MONDAY = date(2026, 11, 2)


def week_figures(scale: int = 1) -> Figures:
    return Figures(
        staff_count=6 * scale,
        expected_days=30 * scale,
        reported_days=27 * scale,
        entries=90 * scale,
        reviewed_entries=80 * scale,
        hours=5000.0 * scale,
        duties_total=132,
        duties_performed=94,
        participants=6 * scale,
        non_core_participants=3 * scale,
        hours_by_function={
            FunctionType.CORE: 2560.0 * scale,
            FunctionType.GENERAL: 1685.0 * scale,
            FunctionType.AUXILIARY: 755.0 * scale,
        },
        entries_by_task_type={"business": 70 * scale, "party": 10 * scale, "general": 10 * scale},
        hours_by_task_type={
            "business": 3809.0 * scale,
            "party": 600.0 * scale,
            "general": 591.0 * scale,
        },
        buckets=HoursBuckets(1 * scale, 1 * scale, 3 * scale, 1 * scale),
    )


def sections(count: int) -> list[SectionMetrics]:
    names = ["办公室", "食品安全监管股", "县食品药品检验所·检验检测室", "未分科室"]
    return [
        SectionMetrics(1, index or None, f"{names[index % 4]}{index // 4 or ''}", week_figures())
        for index in range(count)
    ]


def breakdown(section_count: int = 4, figures: Figures | None = None) -> DepartmentBreakdown:
    whole = DepartmentMetrics(1, "县市场监督管理局", figures or week_figures(section_count))
    return DepartmentBreakdown(
        whole, sections(section_count), [], [], MONDAY, MONDAY + timedelta(days=6)
    )


def trend(weeks: int = 8) -> list[WeekPoint]:
    start = MONDAY - timedelta(weeks=weeks - 1)
    return [
        WeekPoint(start + timedelta(weeks=i), start + timedelta(weeks=i, days=6), week_figures())
        for i in range(weeks)
    ]


def check_png(png: bytes, problems: list[str]) -> Image.Image:
    assert problems == []
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) < MAX_BYTES
    image = Image.open(BytesIO(png))
    assert image.width == 1080
    return image


CHARTS = {
    "function_type": lambda f: charts.function_type_chart(f),
    "task_type": lambda f: charts.task_type_chart(f),
    "daily_hours": lambda f: charts.daily_hours_chart(
        [SectionMetrics(1, 2, "食品安全监管股", f), SectionMetrics(1, None, "未分科室", f)]
    ),
    "reporting_rate": lambda f: charts.reporting_rate_chart([SectionMetrics(1, 2, "办公室", f)]),
    "trend": lambda f: charts.trend_chart([WeekPoint(MONDAY, MONDAY + timedelta(days=6), f)] * 8),
}


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_chart_draws_chinese_without_missing_glyphs(name):
    with glyph_problems() as problems:
        png = CHARTS[name](week_figures())
    check_png(png, problems)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_chart_draws_an_empty_period(name):
    with glyph_problems() as problems:
        png = CHARTS[name](Figures())
    check_png(png, problems)


def test_weekly_summary_image_combines_the_charts():
    with glyph_problems() as problems:
        png = charts.department_summary_chart(breakdown(), trend())
    image = check_png(png, problems)
    assert image.height > 2 * image.width  # five panels stacked for scrolling on a phone


def test_summary_for_a_department_with_many_sections_stays_small():
    with glyph_problems() as problems:
        png = charts.department_summary_chart(breakdown(section_count=30), trend())
    check_png(png, problems)


def test_summary_for_a_department_with_no_entries():
    empty = DepartmentBreakdown(
        DepartmentMetrics(2, "县档案馆", Figures()), [], [], [], MONDAY, MONDAY
    )
    with glyph_problems() as problems:
        png = charts.department_summary_chart(empty, [], title="县档案馆履职周报")
    check_png(png, problems)
    register_cjk_font()
    figure = Figure()
    ax = figure.add_subplot()
    charts.draw_trend(ax, [])
    assert ax.get_title() == "周趋势"
    assert [text.get_text() for text in ax.texts] == ["本期暂无履职数据"]


def test_the_glyph_check_catches_a_font_without_chinese():
    figure = Figure(figsize=(4, 2))
    FigureCanvasAgg(figure)
    figure.add_subplot().set_title("职能类型工时占比", fontfamily="DejaVu Sans")
    with glyph_problems() as problems:
        figure.savefig(BytesIO(), format="png")
    assert any("missing from font" in problem for problem in problems)


def test_the_registered_font_is_the_pip_installed_noto_sans_cjk():
    family = register_cjk_font()
    assert family == "Noto Sans CJK SC"
    assert font_path().name == "NotoSansCJKsc-Regular.otf"
    assert font_manager.findfont(family, fallback_to_default=False) == str(font_path())
    assert register_cjk_font() == family  # registering twice is harmless


def labels_of(draw) -> list[str]:
    register_cjk_font()
    figure = Figure()
    ax = figure.add_subplot()
    draw(ax)
    texts = [text.get_text() for text in ax.texts]
    legend = ax.get_legend()
    return texts + ([t.get_text() for t in legend.get_texts()] if legend else [])


def test_function_type_pie_labels_show_the_shares():
    texts = labels_of(lambda ax: charts.draw_function_types(ax, week_figures()))
    assert "核心职能\n51.2%" in texts
    assert "一般职能\n33.7%" in texts
    assert "辅助职能\n15.1%" in texts


def test_task_type_bars_show_entries_and_hours_shares():
    texts = labels_of(
        lambda ax: charts.draw_task_types(ax, week_figures(), charts.TASK_TYPE_LABELS)
    )
    assert {"77.78%", "76.18%", "按次数", "按时长"} <= set(texts)


def test_section_bars_show_rates_and_the_share_at_five_hours():
    hours = labels_of(lambda ax: charts.draw_daily_hours(ax, sections(2)))
    rates = labels_of(lambda ax: charts.draw_reporting_rates(ax, sections(2)))
    assert "≥5小时 83.3%" in hours
    assert "5小时以下" in hours and "10小时及以上" in hours
    assert "90.0%" in rates


def test_trend_lines_are_named():
    texts = labels_of(lambda ax: charts.draw_trend(ax, trend()))
    assert texts == ["填报率", "履职充分度", "核心职能聚焦度"]
