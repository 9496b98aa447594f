"""Every Chinese text of the chat review flow."""

from __future__ import annotations

START = "审核"
APPROVE = "通过"
RETURN = "退回"

NOT_REVIEWER = "您没有审核权限。如需审核本部门的履职记录，请联系管理员开通。"
WAITING = "标记待审 {count} 条，逐条处理："
ENTRY = (
    "【待审核】{staff_name} · {work_date} · {department_name}\n"
    "职责：{duty_title}\n"
    "类型：{task_type}　工时：{hours:g} 小时\n"
    "内容：{description}\n"
    "系统提示：\n{flags}\n"
    "回复“通过”，或“退回 原因”（例如：退回 请写明检查了哪几家、结果如何）。"
)
FLAG_LINE = "· {label}"
APPROVED = "已通过。"
RETURNED = "已退回，并已通知{staff_name}更正。"
REASON_NEEDED = "请在“退回”后写明原因，例如：退回 请写明检查了哪几家、结果如何。"
ALL_DONE = "需要逐条审核的标记记录已全部处理完毕。"
UNFLAGGED_LEFT = "另有 {count} 条未标记的记录待审核，可在后台一键通过。"
DESCRIPTION_LIMIT = 300
