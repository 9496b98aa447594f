"""Import templates, each generated from its import's column spec."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from backend.excel.labels import ROLE_LABELS
from backend.excel.spec import Column, Spec

__all__ = ["ROLE_LABELS", "spec_workbook", "template_bytes"]

FOOTNOTE = "从第 2 行起每行一条；带 * 的列必填。导入时逐行校验，有任何错误则整表不导入。"


def template_bytes(spec: Spec) -> tuple[str, bytes]:
    """Return the file name and bytes of the template the spec declares."""
    buffer = io.BytesIO()
    spec_workbook(spec).save(buffer)
    return spec.filename, buffer.getvalue()


def spec_workbook(spec: Spec) -> Workbook:
    """Build a template: the data sheet (bold frozen header, dropdowns) and the notes sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on its one worksheet
    sheet.title = spec.sheet
    for index, column in enumerate(spec.columns, start=1):
        _header(sheet, index, column)
    sheet.freeze_panes = "A2"
    _notes(workbook.create_sheet("填写说明"), spec.columns)
    return workbook


def _header(sheet, index: int, column: Column) -> None:
    letter = get_column_letter(index)
    cell = sheet.cell(row=1, column=index, value=column.title + ("*" if column.required else ""))
    cell.font = Font(bold=True, color="C00000" if column.required else "000000")
    cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.column_dimensions[letter].width = column.width
    if column.choices:
        rule = DataValidation(
            type="list", formula1=f'"{",".join(column.choices)}"', allow_blank=True
        )
        rule.error, rule.errorTitle = "请从下拉列表中选择", "取值不在列表中"
        sheet.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}5000")


def _notes(sheet, columns: tuple[Column, ...]) -> None:
    sheet.append(["列名", "是否必填", "示例", "说明"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append(
            [column.title, "必填" if column.required else "选填", column.example, column.note]
        )
    sheet.append([])
    sheet.append(["", "", "", FOOTNOTE])
    for letter, width in (("A", 14), ("B", 10), ("C", 24), ("D", 70)):
        sheet.column_dimensions[letter].width = width
