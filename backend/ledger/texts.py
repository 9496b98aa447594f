"""All Chinese words of the problem ledger: statuses, errors, bot messages, export headers."""

from __future__ import annotations

from backend.models.ledger import FindingStatus

STATUS_LABELS = {
    FindingStatus.OPEN: "待整改",
    FindingStatus.COMMITTED: "整改中",
    FindingStatus.REPORTED: "待回头看",
    FindingStatus.CLOSED: "已销号",
    FindingStatus.REOPENED: "重新整改",
}
ACTION_LABELS = {
    "found": "发现问题",
    "committed": "承诺整改",
    "reported": "提交整改报告",
    "closed": "回头看销号",
    "reopened": "回头看未通过，重新整改",
}

PROBLEM_LIMIT = 2000
TEXT_LIMIT = 5000
NOTE_LIMIT = 1000
REMIND_DAYS = 3

ERR_PROBLEM = "请填写问题描述（不超过 {limit} 字）"
ERR_TOO_LONG = "{label}不能超过 {limit} 字"
ERR_MEASURE = "请填写整改措施"
ERR_DEADLINE = "请填写整改期限"
ERR_DEADLINE_PAST = "整改期限不能早于今天（{today}）"
ERR_REPORT = "请填写整改情况报告"
ERR_REOPEN_NOTE = "重新整改时请写明回头看发现的情况"
ERR_MISSING = "台账中没有这条问题"
ERR_UNIT_MISSING = "单位不存在"
ERR_NOT_IN_ROUND = "该单位不在这一评估轮次中"
ERR_ROUND_MISSING = "评估轮次不存在"
ERR_POINT_NOT_IN_TREE = "该评估要点不属于这一轮次的指标体系"
ERR_STEP = "这条问题当前为「{status}」，不能{step}"
STEP_COMMIT = "承诺整改措施"
STEP_REPORT = "提交整改报告"
STEP_CHECK = "回头看"

MSG_FOUND = (
    "【重点问题台账】评估发现{department}存在问题：{problem}\n"
    "请在管理后台「问题台账」中填写整改措施和整改期限。"
)
MSG_REMIND = (
    "【整改提醒】{department}的问题「{problem}」整改期限为 {deadline}（还有 {left} 天），"
    "请按期完成并在「问题台账」中提交整改报告。"
)
MSG_DUE_TODAY = (
    "【整改提醒】{department}的问题「{problem}」今天（{deadline}）到期，"
    "请在「问题台账」中提交整改报告。"
)
MSG_OVERDUE = (
    "【整改逾期】{department}的问题「{problem}」整改期限 {deadline} 已过，尚未提交整改报告。"
)
MSG_REOPENED = (
    "【回头看】{department}的问题「{problem}」经回头看未通过：{note}\n请重新填写整改措施和期限。"
)

EXPORT_TITLE = "重点问题台账"
EXPORT_HEADERS = [
    "序号",
    "单位",
    "评估轮次",
    "发现日期",
    "问题",
    "整改建议",
    "整改措施",
    "整改期限",
    "整改情况",
    "回头看意见",
    "状态",
    "销号日期",
]
