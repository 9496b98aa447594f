"""The Excel template: it round-trips, and every mistake is named by sheet, row and column."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from backend.models.surveys import AudienceKind, QuestionKind, SurveyKind
from backend.surveys.excel import TemplateErrors, parse_template, template_xlsx

ZONE = ZoneInfo("Asia/Shanghai")
DEPARTMENTS = {"县市场监督管理局": 1, "县民政局": 2}


def parse(data: bytes):
    return parse_template(data, departments=DEPARTMENTS, zone=ZONE)


def edited(**cells) -> bytes:
    """Return the template with some cells changed: edited(题目_C3="判断")."""
    book = load_workbook(io.BytesIO(template_xlsx()))
    for name, value in cells.items():
        sheet, _, ref = name.partition("_")
        book[sheet][ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(data: bytes) -> list[str]:
    with pytest.raises(TemplateErrors) as caught:
        parse(data)
    return caught.value.problems


def test_the_downloaded_template_imports_as_it_is():
    spec = parse(template_xlsx())
    assert spec.title == "2026年度部门履职自评" and spec.kind == SurveyKind.SELF
    assert spec.target_department_ids == (1,) and spec.audience.kind == AudienceKind.DEPARTMENTS
    assert spec.opens_at.tzinfo is ZONE and spec.closes_at.day == 10
    kinds = [q.kind for q in spec.questions]
    assert kinds == [
        QuestionKind.SINGLE,
        QuestionKind.RATING5,
        QuestionKind.SCORE,
        QuestionKind.TEXT,
    ]
    assert spec.questions[0].options[1] == ("较好", 80.0) and spec.questions[0].weight == 40
    assert spec.questions[3].required is False


def test_options_without_scores_get_evenly_spread_scores():
    spec = parse(edited(题目_D2="好|中|差"))
    assert spec.questions[0].options == (("好", 100.0), ("中", 50.0), ("差", 0.0))


def test_not_a_workbook_and_missing_sheets():
    assert problems(b"PK\x03\x04 not really") == [
        "无法读取上传的文件，请上传用模板填写的 .xlsx 文件。"
    ]
    assert problems(b"hello") == ["无法读取上传的文件，请上传用模板填写的 .xlsx 文件。"]
    book = load_workbook(io.BytesIO(template_xlsx()))
    del book["题目"]
    buffer = io.BytesIO()
    book.save(buffer)
    assert problems(buffer.getvalue()) == ["模板缺少工作表“题目”，请下载最新模板后填写。"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"题目_C3": "判断"}, "工作表“题目”第3行C列（题型）：“判断”不是可选的值"),
        ({"题目_D2": "很好=120|差=0"}, "第2行D列（选项）：选项“很好=120”的分值应为 0–100"),
        ({"题目_D2": "只有一个"}, "第2行D列（选项）：选择题至少需要两个选项"),
        ({"题目_D3": "A|B"}, "第3行D列（选项）：只有选择题可以填写选项"),
        ({"题目_F4": "abc"}, "第4行F列（权重）：“abc”不是数字"),
        ({"题目_F4": -5}, "第4行F列（权重）：权重应为 0 或正数"),
        ({"题目_F5": 10}, "第5行F列（权重）：填空题不计分"),
        ({"题目_E2": "也许"}, "第2行E列（必答）：“也许”不是可选的值"),
        ({"题目_B3": None}, "第3行B列（题目）：不能为空"),
        ({"问卷_B2": None}, "工作表“问卷”第2行B列（标题）：不能为空"),
        ({"问卷_B4": "打分"}, "第4行B列（类型）：“打分”不是可选的值（自评/互评/满意度/自定义）"),
        ({"问卷_B5": "县财政局"}, "第5行B列（被评价部门）：没有名为“县财政局”的部门"),
        ({"问卷_B10": "下周一"}, "第10行B列（开始时间）：“下周一”不是时间"),
        ({"问卷_B11": "2026-11-30 18:00"}, "第11行B列（截止时间）：截止时间应晚于开始时间"),
        ({"问卷_B9": "X"}, "第9行B列（排除领导）：“X”不是可选的值（是/否）"),
    ],
)
def test_each_mistake_names_its_row_and_column(cells, expected):
    found = problems(edited(**cells))
    assert any(expected in problem for problem in found), found


def test_several_mistakes_are_listed_together():
    found = problems(edited(题目_C2="判断", 题目_F3="x", 问卷_B5="县财政局"))
    assert len(found) == 3
