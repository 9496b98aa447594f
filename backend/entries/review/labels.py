"""The Chinese labels shown for each flag code (console, API and chat)."""

from __future__ import annotations

from backend.entries.review import rules

FLAG_LABELS = {
    rules.OVER_STANDARD: "工时超出标准工时",
    rules.DAY_OVER_LIMIT: f"当日合计工时超过{rules.DAILY_HOURS_LIMIT:g}小时",
    rules.REPEATED: "与本人其他日期的内容重复",
    rules.COPIED: "与同部门同事的内容雷同",
    rules.NON_WORKDAY: "填报日期不是工作日",
    rules.FOREIGN_DUTY: "所选职责不属于本部门",
    rules.SHORT: "描述过短，未写明做了什么、结果如何",
    rules.VAGUE: "描述空泛，只有“开会”“学习”等笼统词语",
}


def flag_label(code: str) -> str:
    """Return the Chinese label of a flag code (the code itself if unknown)."""
    return FLAG_LABELS.get(code, code)


def flag_labels(codes: list[str]) -> list[str]:
    """Return the Chinese labels of several flag codes."""
    return [flag_label(code) for code in codes]


NOT_FOUND = "找不到这条履职记录"
NOT_REVIEWER = "您没有审核权限"
OTHER_DEPARTMENT = "只能审核本部门（含所属事业单位）的记录"
OWN_ENTRY = "不能审核自己填报的记录"
ALREADY_REVIEWED = "这条记录已经审核过了"
LOCKED = "这条记录已通过审核或所在月份已结账，不能再修改"
MONTH_CLOSED = "{year_month} 已结账，不能再修改；如需更正请先由管理员重新开启该月"
REASON_REQUIRED = "请写明退回原因"
REASON_TOO_LONG = "退回原因不能超过500字"
NOT_ADMIN = "只有管理员可以结账或重新开启月份"
BAD_MONTH = "月份格式应为 YYYY-MM（2000–2100 年），例如 2026-03"
MONTH_ALREADY_CLOSED = "{year_month} 已经结账"
MONTH_NOT_CLOSED = "{year_month} 没有结账，无需重新开启"
RETURN_NOTICE = (
    "您 {work_date} 填报的履职记录被退回：\n"
    "职责：{duty}\n内容：{description}\n退回原因：{reason}\n"
    "发送“修改”进行更正。"
)
BAD_PERIOD = "开始日期不能晚于结束日期"
UNAUTHORIZED = "请提供有效的访问令牌（Authorization: Bearer <token>）"
BAD_BODY = "请求内容应为 JSON 对象"
BAD_NUMBER = "编号应为整数"
BAD_DATE = "日期格式应为 YYYY-MM-DD"
