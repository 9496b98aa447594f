"""The report PDF's layout read back with poppler: wrapped cells, repeated headers, page numbers."""

from __future__ import annotations

import subprocess
from datetime import date

from backend.reports import monthly
from backend.reports.pdf import Chart, Document, Heading, Paragraph, Table, render_pdf
from backend.reports.queries import DutyGap, Gaps, ProblemEntry
from tests.support.reports import pdf_pages, poppler
from tests.test_reports_render import TODAY, department_report

LONG_DUTY = (
    "负责组织实施全县食品生产、流通、餐饮服务环节的日常监督检查和专项整治工作，"
    "督促食品生产经营者落实主体责任，依法查处辖区内食品安全违法违规行为并按规定公开处理结果，"
    "承担重大食品安全事故的应急处置和调查处理工作（编号A-2026-0917-食安）"
)
LONG_REASON = (
    "工时超出标准工时：同一天填报九小时的日常巡查，且工作内容与所选职责不符，"
    "请补充检查对象、检查次数和发现的问题后重新提交，逾期未改的将计入本月退回记录"
)


def raw_pages(data: bytes) -> list[str]:
    """Extract each page's text in drawing order (a cell's lines stay together) with pdftotext."""
    result = subprocess.run(
        [poppler("pdftotext"), "-raw", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode().split("\f")[:-1]  # every page ends in a form feed


def page_texts(data: bytes) -> list[str]:
    """Each page's text with whitespace removed (pdftotext splits Latin and CJK runs)."""
    return ["".join(page.split()) for page in raw_pages(data)]


def long_report():
    """The sample department with one very long unperformed duty and a long return reason."""
    problem = ProblemEntry(date(2026, 10, 9), "王建国", LONG_DUTY, 9.0, "returned", LONG_REASON)
    gaps = Gaps([DutyGap("县市场监督管理局", 7, LONG_DUTY, "核心职能")], [problem], 1, 1)
    return department_report(gaps=gaps)


def test_monthly_pdf_wraps_long_duty_titles_and_reasons_instead_of_cutting_them(tmp_path):
    pdf = monthly.monthly_pdf(long_report(), today=TODAY, low_threshold=0.8)
    text = "".join(page_texts(pdf))
    assert text.count(LONG_DUTY) == 2  # unperformed duties and the returned entry
    assert LONG_REASON in text
    assert "…" not in text
    lines = "".join(raw_pages(pdf)).splitlines()
    assert not any(LONG_DUTY in "".join(line.split()) for line in lines)  # wrapped over lines
    pdf_pages(pdf, tmp_path)  # every glyph drawn (pdftoppm warns on missing ones)


def long_table() -> Table:
    """Ninety rows, every tenth with a long description, every third filled red."""
    numbers = range(1, 91)
    rows = [[str(n), f"第{n}项职责", LONG_DUTY if n % 10 == 0 else "日常巡查"] for n in numbers]
    fills = ["red" if n % 3 == 0 else None for n in numbers]
    return Table(["序号", "表头职责名称", "说明"], rows, widths=[1, 3, 6], fills=fills)


def test_a_long_table_repeats_its_header_on_every_page_and_pages_are_numbered():
    document = Document("长表格测试", "2026年10月", [Heading("一、清单"), long_table()])
    pages = page_texts(render_pdf(document))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页/共{len(pages)}页" in page
        assert "表头职责名称" in page
    assert "第90项职责" in pages[-1]
    assert "".join(pages).count(LONG_DUTY) == 9


def test_report_text_is_escaped_and_charts_stay_vectors():
    markup = '<b>加粗</b> & <script>alert("x")</script>'
    chart = Chart(lambda axes: axes.set_title("图表标题测试"), 120)
    document = Document("转义测试", markup, [Paragraph(markup), Table(["列"], [[markup]]), chart])
    pdf = render_pdf(document)
    text = "".join(page_texts(pdf))
    assert text.count("".join(markup.split())) == 3
    assert "图表标题测试" in text  # chart text is text in the embedded font, not pixels
    images = subprocess.run(
        [poppler("pdfimages"), "-list", "-"], input=pdf, capture_output=True, check=True
    )
    assert len(images.stdout.decode().splitlines()) == 2  # the listing's header only: no bitmaps
