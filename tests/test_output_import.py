"""Output data (办件数据) import: row errors, idempotent re-import, figures in unit_output."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlmodel import Session, select

from backend.excel.templates import template_bytes
from backend.models.staffing import OutputRecord, OutputSource
from backend.staffing.output_import import OUTPUT_SPEC, import_output
from backend.staffing.queries import unit_output
from tests.support.console import add_account, login_client
from tests.support.excel import MARKET, filled_template, plain_workbook, read_back
from tests.support.org import add_small_county

START, END = date(2025, 1, 1), date(2025, 12, 31)
GOOD = [
    [MARKET, "2025-01-01", "2025-12-31", "政务服务", 1200, 1180, 98.5],
    [MARKET, "2025-01-01", "2025-12-31", "12345热线", 300, 290, ""],
    ["县民政局", date(2025, 1, 1), date(2025, 12, 31), "政务服务", 800, "", "96%"],
]


@pytest.fixture
def session(session):
    add_small_county(session)
    session.commit()
    return session


def _records(session) -> list[OutputRecord]:
    return list(session.exec(select(OutputRecord).order_by(OutputRecord.id)))


def _by_name(session) -> dict:
    units, county = unit_output(session, start=START, end=END)
    return {u.name: u for u in units} | {"全县": county}


def test_the_template_has_the_columns_and_an_example_in_its_notes():
    filename, data = template_bytes(OUTPUT_SPEC)
    header = [cell.value for cell in read_back(data)[1]]
    assert filename == "办件数据导入模板.xlsx"
    assert header == ["单位*", "开始日期*", "结束日期*", "来源*", "办件量*", "按时办结量", "满意度"]
    notes = list(read_back(data, 1).iter_rows(min_row=2, max_row=2, values_only=True))
    assert notes[0][:3] == ("单位", "必填", "县民政局")


def test_good_rows_are_imported_and_appear_in_unit_output(session):
    report = import_output(session, filled_template("output", GOOD))
    session.commit()
    assert report.errors == [] and report.created == 3
    records = _records(session)
    assert [r.source for r in records[:2]] == [
        OutputSource.GOVERNMENT_SERVICE,
        OutputSource.HOTLINE,
    ]
    assert records[2].on_time is None and records[2].satisfaction == 96
    found = _by_name(session)
    assert found[MARKET].cases == 1500 and found[MARKET].on_time == 1470
    assert found[MARKET].satisfaction == pytest.approx(98.5)  # the hotline row has none
    assert found["县民政局"].cases == 800 and found["全县"].cases == 2300


def test_reimport_changes_nothing_and_a_new_figure_replaces_the_old(session):
    data = filled_template("output", GOOD)
    import_output(session, data)
    session.commit()
    again = import_output(session, data)
    session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = [[*GOOD[0][:4], 1500, 1400, 97], *GOOD[1:]]
    report = import_output(session, filled_template("output", changed))
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert len(_records(session)) == 3
    assert _by_name(session)[MARKET].cases == 1800


def test_another_period_is_a_separate_figure(session):
    import_output(session, filled_template("output", GOOD))
    later = [[MARKET, "2026-01-01", "2026-03-31", "政务服务", 400, 400, 99]]
    report = import_output(session, filled_template("output", later))
    session.commit()
    assert report.created == 1 and len(_records(session)) == 4
    assert _by_name(session)[MARKET].cases == 1500  # 2026 lies outside the 2025 period


BAD = [
    (["县财政局", "2025-01-01", "2025-12-31", "政务服务", 10], "单位", "找不到单位“县财政局”"),
    ([MARKET, "2025-12-31", "2025-01-01", "政务服务", 10], "结束日期", "早于开始日期"),
    ([MARKET, "2025-01-01", "2025-12-31", "政务服务", 10, 12], "按时办结量", "大于办件量 10"),
    ([MARKET, "2025-01-01", "2025-12-31", "政务服务", -5], "办件量", "不能为负数"),
    ([MARKET, "2025-01-01", "2025-12-31", "政务服务", "很多"], "办件量", "“很多”不是数字"),
    ([MARKET, "2025-01-01", "2025-12-31", "政务服务", 10.5], "办件量", "不是整数"),
    ([MARKET, "2025-01-01", "2025-12-31", "政务服务", 10, -1], "按时办结量", "不能为负数"),
    ([MARKET, "2025-01-01", "2025-12-31", "政务服务", 10, 5, 120], "满意度", "0–100"),
    ([MARKET, "2025-01-01", "2025-12-31", "政务服务", 10, 5, "好"], "满意度", "不是数字"),
    ([MARKET, "2025-13-01", "2025-12-31", "政务服务", 10], "开始日期", "YYYY-MM-DD"),
    ([MARKET, "2025-01-01", "2025-12-31", "微信", 10], "来源", "政务服务、12345热线"),
    ([MARKET, "2025-01-01", "2025-12-31", "政务服务", ""], "办件量", "必填"),
]


@pytest.mark.parametrize(("row", "column", "words"), BAD)
def test_a_bad_row_is_reported_with_its_row_and_column(session, row, column, words):
    report = import_output(session, filled_template("output", [GOOD[0], row]))
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert words in report.errors[0].reason
    assert not report.applied
    session.rollback()
    assert _records(session) == []


def test_the_same_unit_period_and_source_twice_in_one_file_is_rejected(session):
    report = import_output(session, filled_template("output", [GOOD[0], GOOD[1], GOOD[0]]))
    assert [(e.row, e.column) for e in report.errors] == [(4, "单位")]
    assert "与第 2 行" in report.errors[0].reason


def test_a_workbook_with_the_short_header_and_codes_is_read(session):
    rows = [
        ["部门", "开始日期", "结束日期", "来源", "办件量"],
        ["县民政局", "2025/1/1", "2025/12/31", "hotline", "25"],
    ]
    report = import_output(session, plain_workbook(rows))
    assert report.errors == [] and report.created == 1
    assert _records(session)[0].source == OutputSource.HOTLINE


@pytest.fixture
def admin(sqlite_stack):
    add_account(sqlite_stack.engine, "admin", "admin-pass-123", "admin")
    client = sqlite_stack.app.test_client()
    return client, login_client(client, "admin", "admin-pass-123")


def test_the_console_offers_the_template_and_imports_as_a_job(sqlite_stack, admin):
    client, token = admin
    page = client.get("/console/staffing/").get_data(as_text=True)
    assert "导入办件数据" in page and "/console/templates/output.xlsx" in page
    template = client.get("/console/templates/output.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    upload = io.BytesIO(filled_template("output", GOOD))
    response = client.post(
        "/console/imports/output",
        data={"csrf_token": token, "file": (upload, "办件.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with Session(sqlite_stack.engine) as session:
        assert _records(session) == []  # nothing is written on the request path
    assert sqlite_stack.run_jobs() == 1
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入成功：共 3 行，新增 3" in job_page
    with Session(sqlite_stack.engine) as session:
        assert len(_records(session)) == 3
        assert _by_name(session)[MARKET].cases == 1500
