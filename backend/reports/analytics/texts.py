"""Chinese names and definitions of the metrics, and analytics' error messages."""

from __future__ import annotations

from types import SimpleNamespace

NO_SECTION = "未分科室"
SECTION_OF_INSTITUTION = "{institution}·{section}"

BUCKET_LABELS = ("5小时以下", "5—7小时", "7—10小时", "10小时及以上")

RATING_LABELS = {"red": "红色（低效）", "yellow": "黄色（关注）", "green": "绿色（良好）"}

METRIC_TEXTS: dict[str, tuple[str, str]] = {
    "reporting_rate": (
        "填报率",
        "有履职记录的人员工作日数 ÷ 应填报的人员工作日数（不含入职前及请假、出差未填报的工作日）",
    ),
    "review_rate": ("审核率", "已审核（通过或退回）的履职记录数 ÷ 提交的履职记录数"),
    "duty_coverage": ("履职全面度", "有履职记录的职责数 ÷ 职责清单中的职责总数"),
    "workload_ratio": ("履职充分度", "填报工时 ÷ 标准工时（8小时 × 工作日数 × 人数）"),
    "core_focus": ("核心职能聚焦度", "核心职能工时 ÷ 全部工时"),
    "general_focus": ("一般职能占比", "一般职能工时 ÷ 全部工时"),
    "auxiliary_focus": ("辅助职能占比", "辅助职能工时 ÷ 全部工时"),
    "business_entries_share": ("业务工作占比（按次数）", "业务类履职记录数 ÷ 全部履职记录数"),
    "business_hours_share": ("业务工作占比（按时长）", "业务类工时 ÷ 全部工时"),
    "non_core_hours_share": ("非主责主业时长占比", "业务以外任务类型的工时 ÷ 全部工时"),
    "non_core_entries_share": ("非主责主业任务数占比", "业务以外任务类型的记录数 ÷ 全部记录数"),
    "non_core_participants_share": (
        "非主责主业参与人员占比",
        "有业务以外任务记录的人数 ÷ 有履职记录的人数",
    ),
    "share_5h_and_over": (
        "日均有效工时5小时以上人员占比",
        "日均有效工时（工时 ÷ 应填报工作日数）达到5小时的人数 ÷ 参评人数",
    ),
}
"""Metric key → (Chinese name, Chinese definition) for reports and the console."""


class AnalyticsError(ValueError):
    """A request analytics cannot answer; the message is Chinese, fit to show a user."""


texts = SimpleNamespace(
    START_AFTER_END="开始日期不能晚于结束日期。",
    BAD_WEEKS="趋势的周数至少为1。",
    NO_DEPARTMENT="部门不存在（编号 {department_id}）。",
)
