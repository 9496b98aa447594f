"""The console's forms: sign-in, organisation, duty catalogue, settings, accounts and review.

Field names are the names the pages (and tests) post. Choices that come from the database or a
label table are set by the view before validating.
"""

from __future__ import annotations

import re

from wtforms import HiddenField
from wtforms.validators import Length, Optional, ValidationError

from backend.common.values import parse_int
from backend.org.accounts import MIN_PASSWORD
from backend.reports.analytics.scoring import METRICS
from backend.reports.analytics.texts import METRIC_TEXTS
from backend.web.console.form_fields import (
    Choice,
    Day,
    DecimalNumber,
    Flag,
    Secret,
    TextField,
    WebForm,
    WholeNumber,
    at_most,
    required,
)


class LoginForm(WebForm):
    """Sign in with a user name and password."""

    username = TextField("用户名", [required("用户名"), at_most(64, "用户名")])
    password = Secret("密码", [required("密码"), Length(max=200, message="密码过长")])
    next = HiddenField()


class DepartmentForm(WebForm):
    """Add a department, or an institution under one (`parent_id`)."""

    row = "department"

    name = TextField("部门名称", [required("部门名称"), at_most(100, "部门名称")])
    short_name = TextField("简称", [at_most(30, "简称")])
    parent_id = WholeNumber("上级部门")


class SectionForm(WebForm):
    """Add a section to a department."""

    row = "section"

    department_id = WholeNumber("部门", [required("部门")])
    name = TextField("科室名称", [required("科室名称"), at_most(100, "科室名称")])


class ActiveForm(WebForm):
    """Switch a member or an account on ("1") or off."""

    active = Flag()


class DutyForm(WebForm):
    """Change a duty's function type, default task type, standard hours and active flag."""

    function_type = Choice("职能类型")
    default_task_type_code = Choice("默认任务类型", default="")
    standard_hours = DecimalNumber("标准工时", [Optional()], lo=0, hi=24)
    active = Flag()

    def validate_standard_hours(self, field) -> None:
        """Hours are above 0."""
        if field.data is not None and field.data <= 0:
            raise ValidationError("标准工时应大于 0 且不超过 24")


class TaskTypeForm(WebForm):
    """Change a task type's standard hours per entry."""

    standard_hours = DecimalNumber("标准工时", [required("标准工时")], lo=0, hi=24)
    validate_standard_hours = DutyForm.validate_standard_hours


class KeyTaskForm(WebForm):
    """Add an annual key task linked to duties by their numbers."""

    row = "key_task"

    department_id = WholeNumber("部门", [required("部门")])
    year = WholeNumber("年度", [required("年度")], lo=2000, hi=2100)
    title = TextField("重点工作", [required("重点工作内容"), at_most(500, "重点工作内容")])
    duty_seqs = TextField("关联职责序号", [at_most(500, "关联职责序号")])

    def validate_duty_seqs(self, field) -> None:
        """Duty numbers are whole numbers separated by commas."""
        if self.seqs() is None:
            raise ValidationError("关联职责请填写职责序号，用逗号分隔，如 1,3")

    def seqs(self) -> list[int] | None:
        """Return the distinct duty numbers, or None when one is not a number."""
        raw = (self.duty_seqs.data or "").replace("，", ",").replace("、", ",")
        numbers = [parse_int(p, 1, 9999) for p in raw.split(",") if p.strip()]
        whole = [n for n in numbers if n is not None]
        return None if len(whole) < len(numbers) else sorted(set(whole))


def _weight_fields() -> dict:
    names = {key: METRIC_TEXTS.get(key, (key, ""))[0] for key in METRICS}
    message = "权重须为非负数（0 到 1000）"
    return {
        f"weight_{k}": DecimalNumber(f"{n}权重", lo=0, hi=1000, message=message)
        for k, n in names.items()
    }


class ScoringForm(WebForm):
    """The score weights (one field per metric) and the three-colour thresholds."""

    row = "scoring"

    yellow_from = DecimalNumber("黄色起点", lo=0, hi=100)
    green_from = DecimalNumber("绿色起点", lo=0, hi=100)

    def validate_green_from(self, field) -> None:
        """Yellow starts at or below green."""
        if (self.yellow_from.data or 0) > (field.data or 0):
            raise ValidationError("须满足 0 ≤ 黄色起点 ≤ 绿色起点 ≤ 100")

    def validate(self, extra_validators=None) -> bool:
        """Also require one weight above 0."""
        if not super().validate(extra_validators):
            return False
        if not any(self.weights().values()):
            self.form_errors.append("权重须为非负数且至少一项大于 0")
            return False
        return True

    def weights(self) -> dict[str, float]:
        """Return the metrics' weights (empty is 0)."""
        fields = (name for name in self._fields if name.startswith("weight_"))
        return {name.removeprefix("weight_"): self[name].data or 0 for name in fields}


for _name, _field in _weight_fields().items():
    setattr(ScoringForm, _name, _field)


class TargetForm(WebForm):
    """Where a department's group messages go: an app chat id, a robot key or a bot group."""

    kind = Choice("群类型", default="")
    target = TextField("群聊 ID 或机器人 key", [at_most(200, "群聊 ID 或机器人 key")])
    files_key = TextField("消息推送 key", [at_most(300, "消息推送 key")])

    def validate_target(self, field) -> None:
        """A chosen kind needs a target; a bot group's chatid is one plain word."""
        if self.kind.data == "bot" and not field.data:
            raise ValidationError("请填写智能机器人所在群的群聊 ID（chatid）")
        if self.kind.data and not field.data:
            raise ValidationError("请填写群聊 ID 或机器人 key")
        if self.kind.data == "bot" and not CHATID.fullmatch(field.data):
            raise ValidationError(
                "群聊 ID 只能由字母、数字、下划线和短横线组成：请从本页“机器人所在的群”复制"
            )

    def validate_files_key(self, field) -> None:
        """Only a bot group takes a message-push key (a webhook URL gives its key=)."""
        if not field.data:
            return
        if self.kind.data != "bot":
            raise ValidationError("消息推送 key 只用于“智能机器人”的群；群机器人的 key 填在前一栏")
        field.data = webhook_key(field.data)
        if not WEBHOOK_KEY.fullmatch(field.data):
            raise ValidationError("消息推送 key 格式不对：请填 webhook 地址中 key= 后面的部分")


CHATID = re.compile(r"[A-Za-z0-9_-]{1,200}")
WEBHOOK_KEY = re.compile(r"[A-Za-z0-9-]{8,200}")


def webhook_key(text: str) -> str:
    """Return the key of a message-push webhook, given the key or the whole webhook URL."""
    _, found, key = text.partition("key=")
    return key.partition("&")[0].strip() if found else text


class AccountForm(WebForm):
    """Create a console account."""

    row = "account"

    username = TextField("用户名", [required("用户名"), at_most(64, "用户名")])
    password = Secret("密码", [required("密码"), Length(max=200, message="密码过长")])
    role = Choice("角色")
    department_id = WholeNumber("部门")
    staff_userid = TextField("企业微信账号", [at_most(64, "企业微信账号")])


class PasswordForm(WebForm):
    """Set a new password for another account."""

    password = Secret(
        "新密码",
        [
            required("新密码"),
            Length(min=MIN_PASSWORD, message=f"密码至少 {MIN_PASSWORD} 位"),
            Length(max=200, message="密码过长"),
        ],
    )


class BackForm(WebForm):
    """A review action; `back` is the queue page to return to."""

    back = HiddenField()


class ReturnForm(BackForm):
    """Return an entry to its author with a reason."""

    reason = TextField("退回原因", [required("退回原因"), at_most(500, "退回原因")])


class BulkApproveForm(WebForm):
    """Approve a department's unflagged entries of a period."""

    row = "bulk"

    department_id = WholeNumber("部门", [required("部门")])
    start = Day("开始日期", [required("开始日期")])
    end = Day("结束日期", [required("结束日期")])


class ExportForm(WebForm):
    """What to export; the filters beside it go through `scoped_filters` (shared with GET)."""

    kind = Choice("导出内容", default="entries")
