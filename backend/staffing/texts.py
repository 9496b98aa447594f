"""The Chinese words of the staffing area."""

from __future__ import annotations

UNIT_MISSING = "单位不存在"
QUOTA_MISSING = "编制记录不存在"
COUNT_INVALID = "{label}须为0–10000之间的整数"
NOTE_TOO_LONG = "备注不能超过200字"
DATE_INVALID = "日期格式应为YYYY-MM-DD"
PERIOD_INVALID = "开始日期不能晚于结束日期"
QUOTA_SAVED = "编制已保存"
QUOTA_DELETED = "编制记录已删除"
NOT_ENTERED = "未录入"
OVER_QUOTA = "超编"
OVER_LEADERSHIP = "超职"

POST_LABELS = {
    "administrative_posts": "行政编制",
    "institution_posts": "事业编制",
    "logistics_posts": "工勤编制",
    "leadership_posts": "领导职数",
}
