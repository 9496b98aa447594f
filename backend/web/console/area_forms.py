"""Forms of the console areas beyond `console`: schedule, reports, supervision and surveys.

Field names are the names the pages (and tests) post; the views set choices from the database.
"""

from __future__ import annotations

from wtforms.validators import ValidationError

from backend.web.console.form_fields import (
    Choice,
    Day,
    Flag,
    IdList,
    Moment,
    TextField,
    WebForm,
    WholeNumber,
    at_most,
    required,
)

_DAYS = "请填1–10之间的整数（工作日）"


def _time(label: str) -> TextField:
    """A time of day; its format is checked by the reminder service (one rule for chat and web)."""
    return TextField(label, [at_most(10, label)])


def _sized(label: str, limit: int) -> list:
    """Required and at most `limit` characters, with the notice service's one message."""
    message = f"{label}须为1–{limit}字"
    return [required(label, message), at_most(limit, label, message)]


class NoticeForm(WebForm):
    """Send a notice to the chosen departments' staff and/or groups."""

    title = TextField("标题", _sized("标题", 60))
    body = TextField("正文", _sized("正文", 500))
    department_id = IdList("部门")
    to_staff = Flag()
    to_groups = Flag()


class ReminderForm(WebForm):
    """The reminder times, global or for one department (`department_id`)."""

    department_id = WholeNumber("部门")
    first_at = _time("第一次提醒")
    second_at = _time("第二次提醒")
    third_at = _time("第三次提醒")
    notice_at = _time("通报时间")
    review_deadline_days = WholeNumber(
        "审核期限",
        [required("审核期限")],
        lo=1,
        hi=10,
        message="审核期限请填1–10之间的整数（工作日）",
    )

    def values(self) -> dict[str, str]:
        """Return the times as the reminder service reads them."""
        names = ("first_at", "second_at", "third_at", "notice_at")
        times = {name: self[name].data for name in names}
        return {**times, "review_deadline_days": str(self.review_deadline_days.data)}


class OverrideForm(WebForm):
    """Declare one day a working day or a day off."""

    day = Day("日期", [required("日期")])
    kind = Choice(
        "类型", choices=[("holiday", "放假"), ("workday", "上班")], message="请选择“上班”或“放假”"
    )
    note = TextField("说明", [at_most(100, "说明")])


class ReportForm(WebForm):
    """Ask for a report: its kind, period and (for some kinds) department."""

    kind = Choice("报告类型")
    period = TextField("期间", [at_most(20, "期间")])
    department = WholeNumber("部门")


class CodeForm(WebForm):
    """Issue a supervision code for a member."""

    staff_id = WholeNumber("人员", [required("人员")], lo=1)
    title = TextField("岗位名称", [required("岗位名称"), at_most(50, "岗位名称")])


class ScaleForm(WebForm):
    """Choose the five-level national scale or the pilot's four levels."""

    levels = Choice(
        "评价等级", choices=[("5", "五级"), ("4", "四级")], message="评价等级只能是 4 级或 5 级"
    )


class NoteForm(WebForm):
    """A work order step's note (return visit, rectification, closing)."""

    note = TextField("说明", [at_most(2000, "说明")])


class SurveySettingsForm(WebForm):
    """A survey's title, introduction, open period and anonymity."""

    title = TextField("标题", [required("标题"), at_most(200, "标题")])
    introduction = TextField("说明", [at_most(2000, "说明")])
    opens_at = Moment("开始", [required("开始时间")])
    closes_at = Moment("截止", [required("截止时间")])
    anonymous = Flag()

    def validate_closes_at(self, field) -> None:
        """The survey closes after it opens."""
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError("截止时间应晚于开始时间。")
