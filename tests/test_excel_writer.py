"""The one XLSX writer: hostile text stays text, values keep their types, tables are formatted."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from openpyxl import load_workbook

from backend.excel.writer import MAX_TEXT, Book, Column, sheet_title

LEADS = ['=HYPERLINK("http://evil.example/","点我")', "+1+1", "-2", "@SUM(A1:A9)", "\t=1", "\r=1"]
CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
COLUMNS = [
    Column("文本", 40),
    Column("日期", 11, "date"),
    Column("时间", 17, "datetime"),
    Column("工时", 7, "number", total=True),
    Column("件数", 7, "integer", total=True),
]


def _book(rows) -> bytes:
    book = Book()
    book.table("明细", COLUMNS, iter(rows))
    book.sheet("汇总", [["说明", LEADS[0]], [], ["合计", 3, None, 1.5]])
    return book.getvalue()


def _cells(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]


def test_formula_leads_and_control_characters_are_written_as_plain_text():
    rows = [[text, None, None, 1, 1] for text in LEADS]
    rows.append([f"={CONTROLS}脏数据", None, None, None, None])
    data = _book(rows)
    cells = _cells(data)
    assert not any(cell.data_type == "f" for cell in cells)
    texts = [cell.value for cell in cells if cell.data_type == "s"]
    for lead in LEADS:
        assert lead.replace("\r", "\n") in texts  # a carriage return is written as a line feed
    assert "=脏数据" in texts
    assert not any(set(text) & set(CONTROLS) for text in texts)
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in archive.read(name) for name in sheets)


def test_values_keep_their_types_and_long_text_is_cut_at_the_cell_limit():
    long_text = "长" * (MAX_TEXT + 100)
    when = datetime(2026, 3, 3, 8, 30, 15)
    sheet = load_workbook(io.BytesIO(_book([[long_text, date(2026, 3, 3), when, 7.5, 2]])))["明细"]
    text, day, moment, hours, items = sheet[2]
    assert text.data_type == "s" and len(text.value) == MAX_TEXT
    assert day.is_date and day.value == datetime(2026, 3, 3) and day.number_format == "yyyy-mm-dd"
    assert moment.is_date and moment.value == when
    assert hours.value == 7.5 and items.value == 2 and isinstance(items.value, int)


def test_empty_cells_stay_empty_and_the_total_row_sums_the_totalled_columns():
    sheet = load_workbook(
        io.BytesIO(_book([[None, None, None, 2.25, 1], ["x", None, None, 1, None]]))
    )
    rows = list(sheet["明细"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == (None, None, None)
    assert rows[-1] == ("合计", None, None, 3.25, 1)
    assert sheet["明细"]["A4"].font.b


def test_a_table_has_a_bold_frozen_header_filter_and_widths():
    sheet = load_workbook(io.BytesIO(_book([["a", None, None, 1, 1]])))["明细"]
    assert [cell.value for cell in sheet[1]] == [c.title for c in COLUMNS]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E2"
    assert sheet.column_dimensions["A"].width == 40 and sheet.column_dimensions["B"].width == 11


def test_a_free_sheet_keeps_its_rows_as_they_are():
    rows = list(load_workbook(io.BytesIO(_book([])))["汇总"].iter_rows(values_only=True))
    assert rows == [("说明", LEADS[0], None, None), (None,) * 4, ("合计", 3, None, 1.5)]


def test_sheet_titles_are_made_valid_and_unique():
    assert sheet_title("a/b:c*?[]") == "a_b_c____"
    assert sheet_title("表" * 40) == "表" * 31
    assert sheet_title("明细", ["明细"]) == "明细_2"
    book = Book()
    for _ in range(2):
        book.table(f"={CONTROLS}", [Column("x")], [])
    assert load_workbook(io.BytesIO(book.getvalue())).sheetnames == ["=", "=_2"]


def test_a_workbook_can_be_written_to_a_path(tmp_path):
    target = tmp_path / "out.xlsx"
    book = Book(str(target))
    assert book.table("明细", COLUMNS, [["=1", None, None, 1, 1]]) == 1
    book.close()
    assert load_workbook(target)["明细"]["A2"].value == "=1"
