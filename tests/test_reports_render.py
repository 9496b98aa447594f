"""Rendering reports from figures: PDF text and pages, XLSX safety, markdown, periods (no DB)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from PIL import Image

from backend.models.org import FunctionType, StaffingType
from backend.reports import county, monthly, monthly_xlsx, weekly
from backend.reports.analytics import (
    DepartmentBreakdown,
    DepartmentMetrics,
    Figures,
    HoursBuckets,
    PersonMetrics,
    Scoring,
    SectionMetrics,
    StaffingTypeMetrics,
    WeekPoint,
)
from backend.reports.data import CountyReport, DepartmentReport, RatingSummary, SurveyLine
from backend.reports.findings import findings
from backend.reports.periods import PeriodError, parse_period
from backend.reports.queries import DutyGap, Gaps, ProblemEntry
from tests.support.reports import no_glyph_warnings, pdf_pages, pdf_text

TODAY = date(2026, 11, 23)
TASKS = {"business": "业务", "party": "党建", "general": "综合性工作"}


def _figures(scale: float = 1.0, **changes) -> Figures:
    base = dict(
        staff_count=4,
        expected_days=80,
        reported_days=round(72 * scale),
        entries=round(90 * scale),
        reviewed_entries=round(81 * scale),
        returned_entries=2,
        flagged_entries=3,
        hours=500.0 * scale,
        duties_total=132,
        duties_performed=94,
        participants=4,
        non_core_participants=2,
        hours_by_function={
            FunctionType.CORE: 256.0 * scale,
            FunctionType.GENERAL: 168.5 * scale,
            FunctionType.AUXILIARY: 75.5 * scale,
        },
        entries_by_task_type={"business": round(70 * scale), "party": round(20 * scale)},
        hours_by_task_type={"business": 380.9 * scale, "party": 119.1 * scale},
        buckets=HoursBuckets(1, 1, 2, 0),
    )
    base.update(changes)
    return Figures(**base)


def _person(index: int, name: str, missing: int) -> PersonMetrics:
    figures = _figures(expected_days=20, reported_days=20 - missing)
    return PersonMetrics(index, name, 1, 1, "食品安全监管股", StaffingType.ADMINISTRATIVE, figures)


def department_report(**changes) -> DepartmentReport:
    """A market-regulation bureau with 94 of 132 duties covered in October 2026."""
    period = parse_period("month", "2026-10", today=TODAY)
    whole = DepartmentMetrics(1, "县市场监督管理局", _figures())
    sections = [
        SectionMetrics(1, 1, "食品安全监管股", _figures()),
        SectionMetrics(1, 2, "办公室", _figures(0.5, reported_days=30)),
        SectionMetrics(1, None, "未分科室", _figures(0.0)),
    ]
    breakdown = DepartmentBreakdown(
        department=whole,
        sections=sections,
        staffing_types=[
            StaffingTypeMetrics(StaffingType.ADMINISTRATIVE, "机关行政编制", _figures())
        ],
        people=[_person(1, "李晓燕", 0), _person(2, "王建国", 2), _person(3, "陈静", 5)],
        start=period.start,
        end=period.end,
    )
    trend = [
        WeekPoint(date(2026, 10, 5 + 7 * i), date(2026, 10, 11 + 7 * i), _figures())
        for i in range(3)
    ]
    gaps = Gaps(
        unperformed=[DutyGap("县市场监督管理局", 7, "负责计量监督管理", "一般职能")],
        problems=[
            ProblemEntry(
                date(2026, 10, 9),
                "王建国",
                "负责食品安全监督管理",
                9.0,
                "returned",
                '=HYPERLINK("http://x")；工时超出标准工时',
            ),
        ],
        flagged=3,
        returned=1,
    )
    values = dict(
        period=period,
        breakdown=breakdown,
        previous=_figures(0.9),
        trend=trend,
        task_types=TASKS,
        gaps=gaps,
    )
    values.update(changes)
    return DepartmentReport(**values)


def test_periods_read_weeks_months_halves_and_years():
    week = parse_period("week", "2026-W47", today=TODAY)
    assert (week.start, week.end, week.key) == (date(2026, 11, 16), date(2026, 11, 22), "2026-W47")
    assert week.previous().key == "2026-W46"
    assert parse_period("week", None, today=TODAY).key == "2026-W47"
    assert parse_period("month", None, today=TODAY).key == "2026-10"
    assert parse_period("month", "2026-01", today=TODAY).previous().key == "2025-12"
    assert parse_period("half", "2026-H2", today=TODAY).previous().key == "2026-H1"
    assert parse_period("year", None, today=TODAY).key == "2025"
    assert "截至11月23日" in parse_period("month", "2026-11", today=TODAY).until(TODAY).label
    with pytest.raises(PeriodError, match="2026-W47"):
        parse_period("week", "上周", today=TODAY)
    with pytest.raises(PeriodError, match="不存在"):
        parse_period("month", "2026-13", today=TODAY)


def test_monthly_pdf_shows_the_department_its_figures_and_gaps(tmp_path):
    report = department_report()
    pdf = no_glyph_warnings(lambda: monthly.monthly_pdf(report, today=TODAY, low_threshold=0.8))
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "县市场监督管理局部门履职评估分析报告",
        "2026年10月",
        "71.21%",
        "51.20%",
        "76.18%",
        "负责计量监督管理",
        "王建国",
        "办公室",
        "分析结论",
    ):
        assert expected in text, expected
    assert "本期暂无" in text  # no ratings and no survey scores yet
    assert len(pdf_pages(pdf, tmp_path)) >= 3


def test_monthly_pdf_lists_ratings_and_survey_scores_when_they_exist(tmp_path):
    ratings = RatingSummary(
        total=25,
        by_level={"very_satisfied": 20, "dissatisfied": 5},
        bad=5,
        bad_rate=0.2,
        work_orders=5,
        overdue=1,
    )
    surveys = [SurveyLine("2026年部门互评问卷", "mutual", 99.28, 52)]
    report = department_report(ratings=ratings, survey_scores=surveys)
    text = pdf_text(monthly.monthly_pdf(report, today=TODAY, low_threshold=0.8), tmp_path)
    assert "收到群众评价25件" in text and "非常满意" in text
    assert "2026年部门互评问卷" in text and "99.28" in text


def test_findings_speak_plain_chinese_about_the_weak_points():
    lines = findings(department_report(), low_threshold=0.95)
    assert any("低于95%" in line for line in lines)
    assert any("132项中有38项" in line for line in lines)
    assert any("3条填报被自动核查标记" in line for line in lines)
    empty = department_report(
        breakdown=DepartmentBreakdown(
            DepartmentMetrics(1, "县民政局", Figures()),
            [],
            [],
            [],
            date(2026, 10, 1),
            date(2026, 10, 31),
        )
    )
    assert findings(empty, low_threshold=0.8) == [
        "本期没有履职填报记录，请督促本单位人员按时填报。"
    ]


def test_xlsx_keeps_formula_like_text_as_plain_text():
    data = monthly_xlsx.monthly_xlsx(department_report())
    sheets = zipfile.ZipFile(io.BytesIO(data))
    assert not any(b"<f>" in sheets.read(n) for n in sheets.namelist() if n.endswith(".xml"))
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[0] == "主要指标"
    problems = [row for row in workbook["标记或退回"].iter_rows(values_only=True)]
    assert problems[1][-1].startswith("=HYPERLINK")
    metrics = {row[0]: row[1] for row in workbook["主要指标"].iter_rows(values_only=True)}
    assert metrics["履职全面度"] == 71.21


def test_weekly_markdown_has_figures_changes_and_missing_days():
    text = weekly.weekly_markdown(department_report())
    assert "县市场监督管理局 · 履职周报" in text
    assert "履职全面度：**71.2%**" in text
    assert "较上周" in text and "个百分点" in text
    assert "陈静（食品安全监管股） 缺报5天" in text
    assert text.index("陈静") < text.index("王建国")  # most missing days first
    assert "李晓燕" not in text
    assert "缺报" not in weekly.weekly_markdown(department_report(), list_missing=False)


def test_weekly_markdown_fits_a_group_message_however_many_are_missing():
    report = department_report()
    people = [_person(i, f"人员{i:03d}", 3) for i in range(300)]
    crowded = department_report(
        breakdown=DepartmentBreakdown(
            report.breakdown.department, [], [], people, report.period.start, report.period.end
        )
    )
    text = weekly.weekly_markdown(crowded)
    assert len(text.encode()) <= 2048
    assert "另有" in text


def test_weekly_image_is_a_phone_sized_png_without_missing_glyphs():
    png = no_glyph_warnings(lambda: weekly.weekly_image(department_report()))
    assert png.startswith(b"\x89PNG") and len(png) < 2 * 1024 * 1024
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and image.width == 1080  # a palette image: a phone downloads less
    assert len(image.getcolors(256) or []) > 16  # anti-aliased text kept its shades


def test_county_reports_rank_and_colour_the_departments(tmp_path):
    period = parse_period("half", "2026-H1", today=TODAY)
    departments = [
        DepartmentMetrics(1, "县市场监督管理局", _figures()),
        DepartmentMetrics(2, "县民政局", _figures(0.3)),
        DepartmentMetrics(3, "县财政局", Figures()),
    ]
    report = CountyReport(period, departments, departments, Scoring())
    ranking = pdf_text(no_glyph_warnings(lambda: county.ranking_pdf(report, today=TODAY)), tmp_path)
    assert ranking.index("县市场监督管理局") < ranking.index("县民政局") < ranking.index("县财政局")
    assert "红色" in ranking and "三色管理" in ranking
    notice = pdf_text(county.notice_pdf(report, today=TODAY), tmp_path)
    assert "年上半年部门履职评估情况的通报" in notice and "2026" in notice
    core = pdf_text(county.core_pdf(report, today=TODAY), tmp_path)
    assert "部门核心职能履行评估分析报告" in core and "51.20%" in core
    pdf_pages(county.core_pdf(report, today=TODAY), tmp_path)
    weekly_text = weekly.county_markdown(report)
    assert weekly_text.index("1. 县市场监督管理局") < weekly_text.index("县财政局")


def test_a_department_without_entries_still_gets_a_clear_summary(tmp_path):
    period = parse_period("week", "2026-W47", today=TODAY)
    empty = DepartmentBreakdown(
        DepartmentMetrics(2, "县民政局", Figures()), [], [], [], period.start, period.end
    )
    report = DepartmentReport(period, empty, Figures(), [], TASKS)
    text = weekly.weekly_markdown(report)
    assert "本期没有履职填报记录" in text and "填报率：**—**" in text
    png = no_glyph_warnings(lambda: weekly.weekly_image(report))
    assert png.startswith(b"\x89PNG")
    pdf = monthly.monthly_pdf(report, today=TODAY, low_threshold=0.8)
    assert "本期没有履职填报记录" in pdf_text(pdf, tmp_path)


def test_the_weekly_image_opens_with_the_figures_that_matter():
    from backend.reports.headline import missing_text, tiles

    report = department_report()
    shown = {t.label: (t.value, t.change) for t in tiles(report)}
    assert list(shown) == ["填报率", "总工时", "职责覆盖率", "核心职责聚焦度"]
    assert shown["职责覆盖率"][0] == "71.2%" and shown["核心职责聚焦度"][0] == "51.2%"
    assert all(change for _, change in shown.values())  # the previous week is known
    assert missing_text(report).startswith("缺报：")
    png = no_glyph_warnings(lambda: weekly.weekly_image(report))
    assert png.startswith(b"\x89PNG") and len(png) < 400 * 1024


def test_the_monthly_report_opens_with_the_same_headline(tmp_path):
    report = department_report()
    text = pdf_text(monthly.monthly_pdf(report, today=TODAY, low_threshold=0.8), tmp_path)
    first = text[: text.index("一、总体情况")]
    assert "本期要点" in first and "填报率" in first and "核心职责聚焦度" in first
    assert "缺报：" in first
