"""Every Chinese text of the weekly summaries, monthly reports and notices (通报)."""

from __future__ import annotations

# --- weekly markdown (department group) --------------------------------------------------
WEEKLY_TITLE = "**{department} · 履职周报**"
WEEKLY_PERIOD = "> {label}"
WEEKLY_TOTALS = (
    "本期填报 **{entries}** 条，共 **{hours}** 小时，参与 {participants} 人（参评 {staff} 人）"
)
WEEKLY_LINE = "{name}：**{value}**{change}"
CHANGE_UP = '（较上周 <font color="info">↑{points}个百分点</font>）'
CHANGE_DOWN = '（较上周 <font color="warning">↓{points}个百分点</font>）'
CHANGE_SAME = "（与上周持平）"
CHANGE_NONE = ""
MISSING_HEAD = "**缺报情况**（工作日未填报，已登记请假、出差的日子不计）"
MISSING_LINE = "{name}{section} 缺报{days}天"
MISSING_MORE = "……另有{count}人缺报"
MISSING_NONE = "本期应填报人员均已按工作日填报。"
NO_ENTRIES_WEEK = "本期没有履职填报记录。"
WEEKLY_FOOT = '<font color="comment">图表见上图；部门负责同志发送“本月报告”可获取本月报告。</font>'

# --- weekly county summary (administrators' group) ---------------------------------------
COUNTY_TITLE = "**全县部门履职周报**"
COUNTY_TOTALS = "参评部门 {departments} 个，填报 **{entries}** 条，共 **{hours}** 小时"
COUNTY_RATES = "全县填报率 **{reporting}**，审核率 **{review}**，履职全面度 **{coverage}**"
COUNTY_RANK_HEAD = "**部门排名**（按综合得分）"
COUNTY_RANK_LINE = "{rank}. {name} {score}分 {colour}｜填报率{reporting}"
COLOUR_MARKS = {
    "red": '<font color="warning">红</font>',
    "yellow": '<font color="comment">黄</font>',
    "green": '<font color="info">绿</font>',
}

# --- monthly department report (PDF) ------------------------------------------------------
DEPT_REPORT_TITLE = "{department}部门履职评估分析报告"
DEPT_REPORT_SUBTITLE = "评估期间：{label}（{start}至{end}）　生成日期：{today}"
H_HEADLINE = "本期要点"
HEADLINE_COLUMNS = ["指标", "本期", "变化"]
H_OVERVIEW = "一、总体情况"
H_METRICS = "二、主要指标"
H_CHARTS = "三、图表分析"
H_SECTIONS = "四、分科室情况"
H_STAFFING = "五、分编制类型情况"
H_GAPS = "六、问题与短板"
H_UNPERFORMED = "（一）本期未履行的职责"
H_LOW_SECTIONS = "（二）填报率偏低的科室"
H_PROBLEMS = "（三）被标记或退回的填报"
H_RATINGS = "（四）群众评价"
H_SURVEYS = "（五）问卷评分"
H_FINDINGS = "七、分析结论"
OVERVIEW = (
    "{label}，{department}（含所属事业单位）参评人员{staff}人，应填报{expected}个人员工作日，"
    "实际填报{reported}个；共填报履职记录{entries}条、工时{hours}小时，涉及职责{performed}项"
    "（职责清单共{duties}项）。"
)
METRIC_COLUMNS = ["指标", "本期", "上期", "变化"]
DEFINITION_COLUMNS = ["指标", "计算口径"]
SECTION_COLUMNS = ["科室", "人数", "填报率", "审核率", "工时", "履职充分度", "核心职能占比"]
STAFFING_COLUMNS = ["编制类型", "人数", "填报率", "工时", "履职充分度", "核心职能占比"]
UNPERFORMED_COLUMNS = ["序号", "单位", "职责", "职能类型"]
PROBLEM_COLUMNS = ["日期", "人员", "职责", "工时", "状态", "原因"]
RATING_COLUMNS = ["评价等级", "件数"]
SURVEY_COLUMNS = ["问卷", "类型", "得分", "答卷数"]
NONE_YET = "本期暂无。"
ALL_PERFORMED = "本期职责清单中的职责均有履职记录。"
NO_LOW_SECTIONS = "各科室填报率均不低于{threshold}。"
NO_PROBLEMS = "本期没有被标记或退回的填报。"
PROBLEM_SUMMARY = "本期被自动核查标记{flagged}条，被审核退回{returned}条{shown}。"
PROBLEM_SHOWN = "，下表列出其中{count}条"
RATING_SUMMARY = (
    "本期收到群众评价{total}件，其中不满意{bad}件（{bad_rate}）；工单{orders}件，逾期{overdue}件。"
)
STATUS_LABELS = {"submitted": "待审核", "approved": "已通过", "returned": "已退回"}
RATING_LEVEL_LABELS = {
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "basic": "基本满意",
    "dissatisfied": "不满意",
    "very_dissatisfied": "非常不满意",
}
SURVEY_KIND_LABELS = {"self": "部门自评", "mutual": "部门互评"}
CHART_CAPTION = "图：{department}{label}履职情况"

# --- findings (plain Chinese sentences) -----------------------------------------------------
FIND_REPORTING_LOW = "填报率为{value}，低于{threshold}，仍有人员未按工作日填报，请督促补填。"
FIND_REPORTING_OK = "填报率为{value}，人员基本能按工作日填报。"
FIND_COVERAGE = "职责清单{duties}项中有{unperformed}项本期没有履职记录，履职全面度为{value}。"
FIND_COVERAGE_FULL = "职责清单中的职责本期均有履职记录。"
FIND_CORE_LOW = (
    "核心职能工时占比为{value}，低于一半，精力较多用于一般和辅助职能，主责主业聚焦度有待提高。"
)
FIND_CORE_OK = "核心职能工时占比为{value}，主责主业较为聚焦。"
FIND_WORKLOAD_LOW = "履职充分度为{value}，填报工时明显少于标准工时。"
FIND_WORKLOAD_HIGH = "履职充分度为{value}，填报工时超过标准工时，需关注工作负荷和填报真实性。"
FIND_WORKLOAD_OK = "履职充分度为{value}，工作量基本饱满。"
FIND_CHANGE = "与上期相比，填报率{reporting}，履职全面度{coverage}。"
FIND_PROBLEMS = "本期有{flagged}条填报被自动核查标记、{returned}条被审核退回，请相关人员核实更正。"
FIND_LOW_SECTIONS = "填报率偏低的科室：{names}。"
FIND_NO_ENTRIES = "本期没有履职填报记录，请督促本单位人员按时填报。"
UP_POINTS = "上升{points}个百分点"
DOWN_POINTS = "下降{points}个百分点"
SAME_POINTS = "持平"

# --- XLSX sheet titles and columns ----------------------------------------------------------
SHEET_METRICS = "主要指标"
SHEET_SECTIONS = "分科室"
SHEET_STAFFING = "分编制类型"
SHEET_PEOPLE = "人员明细"
SHEET_UNPERFORMED = "未履行职责"
SHEET_PROBLEMS = "标记或退回"
SHEET_RANKING = "部门排名"
PEOPLE_COLUMNS = [
    "姓名",
    "科室",
    "编制类型",
    "应填报天数",
    "实际填报天数",
    "填报率",
    "记录数",
    "工时",
    "核心职能占比",
]
XLSX_METRIC_COLUMNS = ["指标", "本期", "上期", "计算口径"]

# --- county reports (administrators) --------------------------------------------------------
COUNTY_REPORT_TITLE = "全县部门履职评估排名（{label}）"
CORE_REPORT_TITLE = "部门核心职能履行评估分析报告"
NOTICE_TITLE = "关于{label}部门履职评估情况的通报"
COUNTY_SUBTITLE = "评估期间：{label}（{start}至{end}）　生成日期：{today}"
H_RANKING = "一、部门综合排名"
H_COLOURS = "二、三色管理"
H_CORE = "一、各部门核心职能履行情况"
H_CORE_FINDINGS = "二、分析结论"
RANKING_COLUMNS = [
    "名次",
    "部门",
    "综合得分",
    "等次",
    "填报率",
    "审核率",
    "履职全面度",
    "履职充分度",
    "核心职能聚焦度",
]
COLOUR_COLUMNS = ["等次", "部门", "处理意见"]
COLOUR_ADVICE = {
    "red": "低效：核减或冻结编制申请，限期整改",
    "yellow": "关注：跟踪督促，下期重点核查",
    "green": "良好：优先保障编制需求",
}
CORE_COLUMNS = [
    "部门",
    "核心职责数",
    "已履行",
    "核心职能工时",
    "核心职能聚焦度",
    "一般职能占比",
    "辅助职能占比",
]
RANKING_INTRO = (
    "本期全县{count}个部门参与评估，综合得分按权重计算（{weights}），"
    "{green_from:g}分及以上为绿色，{yellow_from:g}分以下为红色，其余为黄色。"
)
COLOUR_COUNTS = "绿色{green}个，黄色{yellow}个，红色{red}个。"
CORE_FINDING_TOP = "核心职能聚焦度最高的是{name}（{value}）。"
CORE_FINDING_LOW = "核心职能聚焦度低于50%的部门：{names}，建议对照三定规定梳理主责主业。"
CORE_FINDING_ALL_OK = "各部门核心职能聚焦度均不低于50%。"
NOTICE_INTRO = "现将{label}全县各部门履职评估情况通报如下，请各部门对照问题认真整改。"
NOTICE_END = "请红色等次部门于15个工作日内报送整改情况。"
FILE_DEPT_MONTHLY = "{department}部门履职评估分析报告-{key}.pdf"
FILE_DEPT_DATA = "{department}履职数据-{key}.xlsx"
FILE_COUNTY = "全县部门履职评估排名-{key}.pdf"
FILE_COUNTY_DATA = "全县部门履职评估数据-{key}.xlsx"
FILE_CORE = "部门核心职能履行评估分析报告-{key}.pdf"
FILE_NOTICE = "部门履职评估情况通报-{key}.pdf"
FILE_WEEKLY_IMAGE = "{department}履职周报-{key}.png"
FILE_WEEKLY_TEXT = "{department}履职周报-{key}.md"
MONTHLY_POST_NOTE = (
    "**{department} · {label}履职评估报告**\n报告（PDF）和数据（Excel）已发送到本群，请查阅。"
)
COUNTY_POST_NOTE = "**{title}**\n排名、三色管理表及数据已发送到本群，请查阅。"

# --- chat commands (department heads) -------------------------------------------------------
CMD_WEEKLY = "本周汇总"
CMD_MONTHLY = "本月报告"
CMD_QUEUED = "已收到，正在生成{what}：{label}，稍后发到本部门工作群。"
CMD_ALREADY = "{what}正在生成中：{label}，请稍候，生成后会发到本部门工作群。"
CMD_NOT_HEAD = "只有部门负责同志或管理员可以获取本部门的{what}。"
CMD_NO_GROUP = "本部门还没有设置工作群，无法发送{what}。请联系管理员在后台设置部门工作群。"
WHAT = {"weekly": "本周汇总", "monthly": "月度报告"}
