"""All Chinese words of the round results: titles, sections, sheet names, headers, errors."""

from __future__ import annotations

REPORT_TITLE = "{name} 履职评估专报"
FEEDBACK_TITLE = "{name} {unit}履职评估反馈报告"
QUARTERLY_TITLE = "{year} 年第 {quarter} 季度平时考核汇总"

SECTION_SUMMARY = "一、总体情况"
SECTION_RANKING = "二、排名与等次"
SECTION_STAFFING = "三、编制使用情况"
SECTION_STRUCTURE = "四、人员结构"
SECTION_PROBLEMS = "五、重点问题整改情况"

SUMMARY = (
    "本轮评估期间为 {start} 至 {end}，共评估 {units} 个单位，平均得分 {average} 分。"
    "其中绿色 {green} 个、黄色 {yellow} 个、红色 {red} 个。"
    "各单位尚未销号的重点问题共 {problems} 个。"
)
NO_PROBLEMS = "各单位无尚未销号的重点问题。"
NO_FINDINGS = "本单位无重点问题记录。"
NO_OUTPUT = "—"
FEEDBACK_SUMMARY = (
    "{unit}本轮得分 {score} 分，在 {total} 个单位中排名第 {rank} 名，等次为{colour}。"
)
FEEDBACK_MEASURE = "拟采取措施：{measure}"
SECTION_FEEDBACK_RESULT = "一、评估结果"
SECTION_FEEDBACK_POINTS = "二、评估要点得分"
SECTION_FEEDBACK_FINDINGS = "三、发现问题及整改情况"

RANKING_COLUMNS = ("排名", "单位", "得分", "等次", "拟采取措施")
STAFFING_COLUMNS = (
    "单位",
    "核定编制",
    "实有人员",
    "空编",
    "超编",
    "办件量",
    "每编办件量",
    "全县每编办件量",
)
PROBLEM_COLUMNS = ("单位", "问题", "发现日期", "状态", "整改措施", "整改期限")
POINT_COLUMNS = ("序号", "评估要点", "分值", "自评分", "评估得分")
FINDING_COLUMNS = ("问题", "发现日期", "状态", "整改措施", "整改期限")
QUARTERLY_COLUMNS = (
    "姓名",
    "单位",
    "科室",
    "编制类型",
    "应填报天数",
    "填报天数",
    "填报率(%)",
    "填报条目",
    "工时",
    "审核率(%)",
    "退回条目",
    "标记条目",
    "主责主业聚焦度(%)",
)

SHEET_RANKING = "排名与等次"
SHEET_STAFFING = "编制使用"
SHEET_STRUCTURE = "人员结构"
SHEET_PROBLEMS = "问题台账"
SHEET_QUARTERLY = "平时考核"

REPORT_FILE = "{name}履职评估专报.{ext}"
FEEDBACK_FILE = "{name}{unit}反馈报告.pdf"
QUARTERLY_FILE = "{year}年第{quarter}季度平时考核.xlsx"

ERR_NOT_FINISHED = "该评估轮次尚未结束，结果未冻结，暂不能生成专报或反馈报告"
ERR_QUARTER = "请填写正确的年份（2000 至 2100）和季度（1 至 4）"
ERR_FILE_KIND = "没有这种结果文件"
JOB_DONE = "评估结果文件已生成"
JOB_RUNNING = "正在生成评估结果文件…"
