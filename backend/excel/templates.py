"""The import templates the console offers: roster (人员名册) and duty list (三定职责清单)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from backend.excel.labels import FUNCTION_LABELS, STAFFING_LABELS

ROLE_LABELS = {"工作人员": "staff", "审核员": "reviewer", "部门负责人": "head", "管理员": "admin"}
YES_NO = "是,否"


@dataclass(frozen=True)
class TemplateColumn:
    """One template column: title, required or not, width, note, dropdown choices."""

    title: str
    required: bool
    width: float
    note: str
    choices: str | None = None


ROSTER = [
    TemplateColumn("部门", True, 24, "部门或事业单位全称（或简称），须已在“组织”中存在"),
    TemplateColumn("科室", False, 16, "所在科室（股室），不存在时自动新建"),
    TemplateColumn("姓名", True, 10, "不超过 50 字"),
    TemplateColumn("企业微信账号", True, 18, "企业微信通讯录中的账号（userid），唯一"),
    TemplateColumn("编制类型", True, 14, "机关行政编制、事业编制、机关工勤编制或编外",
                   ",".join(STAFFING_LABELS.values())),
    TemplateColumn("职务", False, 14, "职务或岗位，不超过 50 字"),
    TemplateColumn("占领导职数", False, 10, "是/否，默认否（占领导职数的不参与评估）", YES_NO),
    TemplateColumn("主要负责人", False, 10, "是/否：部门主要负责同志，接收通知", YES_NO),
    TemplateColumn("面向群众", False, 10, "是/否：窗口等面向群众的岗位，生成监督二维码", YES_NO),
    TemplateColumn("角色", False, 10, "工作人员、审核员、部门负责人或管理员，默认工作人员",
                   ",".join(ROLE_LABELS)),
    TemplateColumn("在职", False, 8, "是/否，默认是", YES_NO),
    TemplateColumn("入职日期", False, 12, "日期，如 2024-03-01"),
]  # fmt: skip

DUTIES = [
    TemplateColumn("部门", True, 24, "部门或事业单位全称（或简称），须已存在"),
    TemplateColumn("序号", True, 8, "三定规定中该职责的序号，正整数，同一部门内唯一"),
    TemplateColumn("职责内容", True, 60, "职责原文，不超过 500 字"),
    TemplateColumn("职能类型", True, 12, "核心职能、一般职能或辅助职能",
                   ",".join(FUNCTION_LABELS.values())),
    TemplateColumn("默认任务类型", False, 14, "业务、党建、财务和组织人事、信访投诉或综合性工作"),
    TemplateColumn("标准工时", False, 10, "每条填报的标准工时（小时），0–24，可留空"),
]  # fmt: skip

TEMPLATES = {
    "roster": ("人员名册导入模板.xlsx", "人员名册", ROSTER),
    "duties": ("三定职责清单导入模板.xlsx", "职责清单", DUTIES),
}


def titles(columns: list[TemplateColumn]) -> list[str]:
    """Return the column titles."""
    return [c.title for c in columns]


def required(columns: list[TemplateColumn]) -> set[str]:
    """Return the titles of required columns."""
    return {c.title for c in columns if c.required}


def template_bytes(kind: str) -> tuple[str, bytes]:
    """Build a template workbook: the data sheet (bold frozen header, dropdowns) and notes."""
    filename, sheet_title, columns = TEMPLATES[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for index, column in enumerate(columns, start=1):
        _header(sheet, index, column)
    sheet.freeze_panes = "A2"
    _notes(workbook.create_sheet("填写说明"), columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return filename, buffer.getvalue()


def _header(sheet, index: int, column: TemplateColumn) -> None:
    letter = get_column_letter(index)
    cell = sheet.cell(row=1, column=index, value=column.title + ("*" if column.required else ""))
    cell.font = Font(bold=True, color="C00000" if column.required else "000000")
    cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.column_dimensions[letter].width = column.width
    if column.choices:
        rule = DataValidation(type="list", formula1=f'"{column.choices}"', allow_blank=True)
        rule.error, rule.errorTitle = "请从下拉列表中选择", "取值不在列表中"
        sheet.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}5000")


def _notes(sheet, columns: list[TemplateColumn]) -> None:
    sheet.append(["列名", "是否必填", "说明"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append([column.title, "必填" if column.required else "选填", column.note])
    sheet.append([])
    sheet.append(
        ["", "", "从第 2 行起每行一条；带 * 的列必填。导入时逐行校验，有任何错误则整表不导入。"]
    )
    for letter, width in (("A", 14), ("B", 10), ("C", 70)):
        sheet.column_dimensions[letter].width = width
