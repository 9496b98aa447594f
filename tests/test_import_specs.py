"""Every Excel import is one column spec read by the one importer, with the same row errors."""

from __future__ import annotations

import io
from datetime import UTC

import pytest
from openpyxl import load_workbook

from backend.excel import importer, reader
from backend.excel.importer import CellTooLong, MissingColumns
from backend.excel.reader import RowError
from backend.excel.spec import Spec
from backend.excel.templates import template_bytes
from backend.org.duty_import import DUTY_SPEC
from backend.org.roster_import import ROSTER_SPEC
from backend.schedule.calendar import CALENDAR_SPEC
from backend.surveys.excel import template_xlsx
from backend.surveys.excel_columns import QUESTION_SPEC, SETTINGS_SPEC, settings_spec
from backend.web.console.imports import TEMPLATES
from tests.support.excel import plain_workbook

TABLES = {
    "roster": ROSTER_SPEC,
    "duties": DUTY_SPEC,
    "calendar": CALENDAR_SPEC,
    "questions": QUESTION_SPEC,
}
SETTINGS = settings_spec({"县市场监督管理局": 1}, UTC)
LONG = "长" * (reader.MAX_CELL_CHARS + 1)

# One bad value per typed column: (spec, column, value, words the message must contain).
BAD_CELLS = [
    ("roster", "入职日期", "2024-13-45", "YYYY-MM-DD"),
    ("roster", "占领导职数", "也许", "“是”或“否”"),
    ("roster", "编制类型", "合同工", "“合同工”不是有效取值"),
    ("roster", "角色", "局长", "“局长”不是有效取值"),
    ("roster", "企业微信账号", "bad id!", "只能包含字母"),
    ("roster", "姓名", "长" * 51, "不能超过 50 字"),
    ("roster", "出生日期", "1988-02-30", "YYYY-MM-DD"),
    ("roster", "性别", "未知", "应为：男、女"),
    ("roster", "学历", "博士后", "应为：研究生、大学本科、大学专科、中专及以下"),
    ("duties", "序号", "第一", "不是 1–9999 的整数"),
    ("duties", "标准工时", "很多", "应为数字"),
    ("duties", "标准工时", 30, "不超过 24"),
    ("duties", "职能类型", "主要职能", "“主要职能”不是有效取值"),
    ("duties", "职责内容", "长" * 501, "不能超过 500 字"),
    ("calendar", "日期", "2027-02-30", "“2027-02-30”无法识别"),
    ("calendar", "类型", "补休", "请填“放假”或“上班”"),
    ("questions", "题型", "判断", "“判断”不是可选的值"),
    ("questions", "必答", "也许", "（是/否）"),
    ("questions", "权重", "abc", "“abc”不是数字"),
    ("questions", "选项", "好=120|差=0", "分值应为 0–100"),
]
BAD_SETTINGS = [
    ("开始时间", "下周一", "“下周一”不是时间"),
    ("类型", "打分", "“打分”不是可选的值"),
    ("匿名", "X", "（是/否）"),
    ("被评价部门", "县财政局", "没有名为“县财政局”的部门"),
    ("标题", "长" * 201, "最多200字"),
]


def example_row(spec: Spec, **changed) -> list:
    """Return the spec's example values, in column order, with some cells changed."""
    return [changed.get(c.title, c.example) for c in spec.columns]


def read(spec: Spec, rows: list[list], header: list[str] | None = None) -> importer.ParsedSheet:
    return importer.read_sheet(plain_workbook([header or spec.titles(), *rows]), spec)


def read_settings(rows: list[tuple]) -> importer.ParsedFields:
    data = plain_workbook([["项目", "内容", "说明"], *[list(r) for r in rows]])
    return importer.parse_fields(reader.open_workbook(data).worksheets[0], SETTINGS)


def settings_rows(**changed) -> list[tuple]:
    return [(c.title, changed.get(c.title, c.example)) for c in SETTINGS.columns]


@pytest.mark.parametrize("name", TABLES)
def test_each_spec_reads_its_own_example_row(name):
    spec = TABLES[name]
    parsed = read(spec, [example_row(spec)])
    assert parsed.errors == [] and len(parsed.rows) == 1 and not parsed.rows[0].failed
    assert set(parsed.rows[0].values) == {c.key for c in spec.columns}


@pytest.mark.parametrize(
    ("name", "title"),
    [(name, c.title) for name, spec in TABLES.items() for c in spec.columns if c.required],
)
def test_a_missing_required_column_names_it(name, title):
    spec = TABLES[name]
    header = [t for t in spec.titles() if t != title]
    row = [c.example for c in spec.columns if c.title != title]
    with pytest.raises(MissingColumns, match=f"表头缺少列：{title}") as caught:
        read(spec, [row], header=header)
    assert caught.value.errors == [RowError(1, title, "表头缺少此列")]


@pytest.mark.parametrize(
    ("name", "title"), [(n, c.title) for n, s in TABLES.items() for c in s.columns if c.required]
)
def test_a_blank_required_cell_is_a_row_error(name, title):
    spec = TABLES[name]
    parsed = read(spec, [example_row(spec), example_row(spec, **{title: None})])
    assert parsed.errors == [RowError(3, title, spec.blank)]
    assert [row.failed for row in parsed.rows] == [False, True]


@pytest.mark.parametrize(("name", "title", "value", "words"), BAD_CELLS)
def test_a_bad_value_is_a_row_error_naming_row_and_column(name, title, value, words):
    spec = TABLES[name]
    parsed = read(spec, [example_row(spec), example_row(spec), example_row(spec, **{title: value})])
    assert [(e.row, e.column) for e in parsed.errors] == [(4, title)]
    assert words in parsed.errors[0].reason


@pytest.mark.parametrize("name", TABLES)
def test_an_over_long_cell_refuses_the_file_with_its_row_and_column(name):
    spec = TABLES[name]
    title = next(c.title for c in spec.columns if c.key in {"name", "title", "note", "text"})
    with pytest.raises(CellTooLong) as caught:
        read(spec, [example_row(spec), example_row(spec, **{title: LONG})])
    assert caught.value.error == RowError(3, title, f"超过 {reader.MAX_CELL_CHARS} 字")
    assert caught.value.letter == "ABCDEFGHIJKL"[spec.titles().index(title)]


def test_the_settings_sheet_reads_its_own_examples():
    parsed = read_settings(settings_rows())
    assert parsed.errors == [] and parsed.values["targets"] == (1,)
    assert set(parsed.values) == {c.key for c in SETTINGS.columns}


@pytest.mark.parametrize(("title", "value", "words"), BAD_SETTINGS)
def test_a_bad_setting_is_a_row_error_naming_its_row(title, value, words):
    parsed = read_settings(settings_rows(**{title: value}))
    row = 2 + SETTINGS.titles().index(title)
    assert [(e.row, e.column) for e in parsed.errors] == [(row, title)]
    assert words in parsed.errors[0].reason


def test_missing_blank_and_over_long_settings_are_row_errors():
    rows = [r for r in settings_rows(说明=LONG, 类型=None) if r[0] != "标题"]
    parsed = read_settings(rows)
    assert parsed.errors == [
        RowError(0, "标题", "不能为空"),  # no 标题 row at all: row 0
        RowError(2, "说明", f"超过 {reader.MAX_CELL_CHARS} 字"),
        RowError(3, "类型", "不能为空"),
    ]


@pytest.mark.parametrize("kind", TEMPLATES)
def test_each_template_has_exactly_its_spec_headers(kind):
    spec = TEMPLATES[kind]
    _, data = template_bytes(spec)
    book = load_workbook(io.BytesIO(data))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert [h.rstrip("*") for h in header] == spec.titles()
    assert [h.endswith("*") for h in header] == [c.required for c in spec.columns]
    notes = [row[0] for row in book["填写说明"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert notes == spec.titles()


def test_the_survey_template_has_exactly_its_specs_rows_and_headers():
    book = load_workbook(io.BytesIO(template_xlsx()))
    header = [cell.value for cell in book["题目"][1]]
    assert header == QUESTION_SPEC.titles()
    keys = [row[0] for row in book["问卷"].iter_rows(min_row=2, values_only=True)]
    assert keys == SETTINGS_SPEC.titles()


def test_rows_checks_and_errors_come_together_in_one_report_in_row_order():
    spec = ROSTER_SPEC
    rows = [example_row(spec, 姓名=None), example_row(spec), example_row(spec, 入职日期="x")]
    parsed = read(spec, rows)

    def check(row, fail):
        if row.values["department"] == "县民政局":
            fail("部门", "找不到部门")
        return None if row.failed else row.number

    valid, report = importer.validate(parsed, check)
    assert valid == [] and report.kind == "roster" and report.rows == 3
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "部门"),
        (2, "姓名"),
        (3, "部门"),
        (4, "部门"),
        (4, "入职日期"),
    ]
