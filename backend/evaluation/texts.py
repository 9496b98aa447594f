"""All Chinese words of the evaluation area: formulas, errors, defaults."""

from __future__ import annotations

TOTAL_SCORE = 100.0
NO_DATA = "无数据"

COMPUTED_FORMULA = "得分 = 分值 × min(指标值 ÷ 满分目标值, 1)；无数据计 0 分"
SCORED_FORMULA = "得分 = 实地评估得分（0 至分值）；自评分仅供参考，不计入；未评分计 0 分"
UNIT_FORMULA = "单位得分 = 各评估要点得分之和（保留两位小数）"
RANK_FORMULA = "按得分从高到低排名，得分相同并列（1、2、2、4）"
COLOUR_FORMULA = "红色 < {yellow:g} ≤ 黄色 < {green:g} ≤ 绿色"

COLOUR_LABELS = {"red": "红色", "yellow": "黄色", "green": "绿色"}
DEFAULT_MEASURES = {
    "red": "核减编制或暂停用编审批",
    "yellow": "列入观察期，限期整改",
    "green": "优先保障用编需求",
}
MEASURES_KEY = "evaluation.measures"
THRESHOLDS_KEY = "evaluation.thresholds"

ASSESSMENT_LIMIT = 20000
NOTE_LIMIT = 1000
NAME_LIMIT = 200

ERR_TREE_TOTAL = "指标体系各评估要点分值合计为 {total:g} 分，须为 100 分才能开启评估轮次"
ERR_TREE_MISSING = "指标体系不存在"
ERR_INDICATOR_MISSING = "指标不存在"
ERR_POINT_MISSING = "评估要点不存在"
ERR_POINT_UNKNOWN = "评估要点不属于本轮指标体系：{point}"
ERR_NOT_SCORED = "该评估要点为系统计算项，不能手工打分：{point}"
ERR_SCORE_NUMBER = "分数须为数字：{value}"
ERR_SCORE_RANGE = "分数须在 0 至 {max:g} 之间：{point}"
ERR_MAX_SCORE = "分值须为大于 0 且不超过 100 的数字"
ERR_TARGET = "满分目标值须为大于 0 的数字"
ERR_METRIC = "未知的计算指标：{metric}"
ERR_NAME = "名称不能为空，且不超过 {limit} 字"
ERR_TEXT_LONG = "文字过长（不超过 {limit} 字）"
ERR_PARENT = "评估要点须挂在二级指标下；二级指标须挂在一级指标下"
ERR_HAS_CHILDREN = "该指标下还有下级指标或评估要点，请先删除它们"
ERR_FROZEN = "该版本指标体系已被评估轮次使用，不能修改；请复制为新版本后修改"
ERR_DATES = "评估期间不正确：开始日期须不晚于结束日期"
ERR_NO_UNITS = "请至少选择一个被评估单位"
ERR_UNIT_MISSING = "单位不存在：{unit}"
ERR_ROUND_MISSING = "评估轮次不存在"
ERR_ROUND_FINISHED = "该评估轮次已结束，结果已冻结，不能再修改"
ERR_NOT_IN_ROUND = "该单位不在本轮评估范围内"
ERR_SURVEY_MISSING = "问卷不存在"
ERR_SURVEY_KIND = "问卷类型须为自评或互评"
ERR_FILE_EMPTY = "请上传文件"
ERR_FILE_TYPE = "只能上传 pdf、docx、doc、xlsx、jpg、png 文件"
ERR_FILE_SIZE = "文件过大（不超过 {limit} 字节）"
ERR_THRESHOLDS = "阈值须满足 0 ≤ 黄色起点 ≤ 绿色起点 ≤ 100"
ERR_MEASURE = "措施不能为空，且不超过 200 字"

WARN_MISSING_ONSITE = "{unit}有 {count} 个评估要点尚无实地评估得分，按 0 分计"
