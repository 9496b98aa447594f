"""Excel exports: formatted like offices expect, formula-safe, filtered and scoped."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from backend.entries.export import ENTRY_COLUMNS, export_entries, export_summary
from backend.entries.filters import EntryFilters, FilterError, parse_filters
from backend.models import Department
from tests.support.excel import add_sample_entries, read_back
from tests.support.org import add_small_county

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def county(session):
    add_small_county(session)
    session.commit()
    add_sample_entries(session)
    return {d.name: d.id for d in session.exec(select(Department))}


def _export(session, filters: EntryFilters | None = None) -> bytes:
    buffer = io.BytesIO()
    export_entries(session, filters or EntryFilters(), buffer, zone=ZONE)
    return buffer.getvalue()


def test_entries_export_is_formatted_and_formula_safe(session, county):
    sheet = read_back(_export(session))
    header = [cell.value for cell in sheet[1]]
    assert header == [c.title for c in ENTRY_COLUMNS]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:R4"
    assert sheet.column_dimensions["M"].width == 50
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4
    texts = {row[3]: row[12] for row in rows[:3]}
    assert texts["王建国"] == "=1+1"
    assert texts["刘芳"].startswith("@SUM(A1)")
    bob = next(r for r in sheet.iter_rows(min_row=2) if r[3].value == "王建国")
    assert bob[12].data_type == "s"
    assert rows[0][0] == datetime(2026, 3, 3) and sheet["A2"].number_format == "yyyy-mm-dd"
    assert isinstance(rows[0][17], datetime)
    total = rows[3]
    assert total[0] == "合计" and total[10] == 12.0 and total[11] == 15
    assert sheet["A5"].font.b


def test_flags_and_statuses_are_in_chinese(session, county):
    rows = list(read_back(_export(session)).iter_rows(min_row=2, max_row=4, values_only=True))
    bob = next(r for r in rows if r[3] == "王建国")
    assert bob[13] == "待审核"
    assert "描述过短" in bob[14]
    assert bob[7] == "核心职能" and bob[4] == "机关行政编制"


def test_filters_and_department_scope_limit_the_rows(session, county):
    market = county["县市场监督管理局"]
    scoped = EntryFilters().scoped({market})
    sheet = read_back(_export(session, scoped))
    names = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"李晓燕", "王建国", None}
    nothing = EntryFilters(start=date(2026, 4, 1))
    empty = list(read_back(_export(session, nothing)).iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[10], row[11]) for row in empty] == [("合计", 0, 0)]


def test_summaries_by_department_section_and_person(session, county):
    buffer = io.BytesIO()
    export_summary(session, EntryFilters(), "person", buffer)
    sheet = read_back(buffer.getvalue())
    assert [c.value for c in sheet[1]][:5] == ["部门", "科室", "姓名", "编制类型", "填报条数"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[-1][0] == "合计" and rows[-1][4] == 3 and rows[-1][5] == 12.0
    buffer = io.BytesIO()
    export_summary(session, EntryFilters(), "department", buffer)
    rows = list(read_back(buffer.getvalue()).iter_rows(min_row=2, values_only=True))
    assert rows[:2] == [
        ("县市场监督管理局", 2, 8.0, 12, 2, 1, 8.0, 0, 2, 0),
        ("县民政局", 1, 4.0, 3, 1, 1, 4.0, 0, 1, 0),
    ]


def test_bad_filters_are_refused_in_chinese():
    with pytest.raises(FilterError, match="开始日期格式"):
        parse_filters({"start": "March"})
    with pytest.raises(FilterError, match="不能晚于"):
        parse_filters({"start": "2026-03-05", "end": "2026-03-01"})
    assert parse_filters({"department": "3", "flagged": "1"}).department_id == 3
