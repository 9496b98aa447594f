"""Forms of the work-pattern page: a member's or a section's weekdays, and dated exceptions."""

from __future__ import annotations

from backend.web.console.form_fields import (
    Choice,
    Day,
    TextField,
    WebForm,
    WholeNumber,
    at_most,
    required,
)


class _OwnerForm(WebForm):
    """A member (by WeCom account) or a section (by id): the service checks exactly one."""

    userid = TextField("企业微信账号", [at_most(64, "企业微信账号")])
    section_id = WholeNumber("科室")
    note = TextField("说明", [at_most(100, "说明")])


class PatternForm(_OwnerForm):
    """Set the weekly pattern of a member or a section (标准: back to the office calendar)."""

    row = "pattern"

    weekdays = TextField("工作日", [required("工作日"), at_most(30, "工作日")])


class ExceptionForm(_OwnerForm):
    """Say that a member or a section works, or is off, on one day."""

    row = "exception"

    day = Day("日期", [required("日期")])
    works = Choice(
        "类型", choices=[("off", "休息"), ("works", "上班")], message="请选择“上班”或“休息”"
    )
