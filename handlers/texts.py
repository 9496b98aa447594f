"""User-facing Chinese texts of the bot's conversations (commands, duty entry, quick entry)."""

HELP_HEAD = "履职助手可以为您做这些事："  # the lines come from handlers/registry.py
HINT_PREVIEW_CHARS = 20
HINT = "没有听懂“{text}”。发送“帮助”查看可用的指令。"
WELCOME = "{name}您好，我是履职助手。发送“帮助”查看可以做的事。"
NOT_A_MEMBER = (
    "您好，您不在本单位的履职填报名单中，暂时无法使用履职助手。如有疑问请联系本单位管理员。"
)
UNSUPPORTED = "暂时只能处理文字消息，请直接输入文字。发送“帮助”查看可用的指令。"

# Duty entry form
FORM_TITLE = "履职填报"
EDIT_TITLE = "修改履职记录"
DELETE_TITLE = "删除履职记录"
NO_DUTIES = "您所在单位还没有职责清单，暂时无法填报，请联系本单位管理员。"
WEEKDAYS = "一二三四五六日"
ASK_DATE = "哪天的工作？回复“好”填今天（{today}），也可回复“昨天”或“11-20”。"
DATE_UNREADABLE = "没有看懂日期。请回复“今天”“昨天”或如“11-20”“11月20日”。"
DATE_FUTURE = "不能填未来的日期。请回复今天或之前的日期，如“今天”“昨天”。"
DATE_TOO_OLD = "只能补填{days}天内的记录（{first}起）。请回复这之后的日期，如“昨天”。"
ASK_DATE_OK = "{day}不是工作日，确定填这天吗？回复“是”继续，“否”重选日期。"
DATE_OK_INVALID = "请回复“是”或“否”。"
ASK_DUTY = "哪项职责？回复编号："
ASK_DUTY_LONG = "哪项职责？共{count}项，回复编号或关键词（如“{example}”），回复“全部”看清单。"
RECENT_DUTIES = "最近填过："
DUTY_OUT_OF_RANGE = "没有第{number}项职责。请回复清单里的编号或关键词。"
DUTY_NOT_FOUND = "没有找到含“{word}”的职责。请换个关键词或回复编号，回复“全部”看清单。"
DUTY_SEVERAL = "找到{count}项，请回复编号：\n{lines}"
ASK_KEY_TASK = "属于哪项年度重点工作？回复编号，不属于请回复“跳过”：\n{lines}"
KEY_TASK_INVALID = "请回复清单里的编号（1–{count}），或“跳过”。"
ASK_TASK_TYPE = "任务类型：默认“{default}”，回复“好”确认，或回复编号：\n{lines}"
TASK_TYPE_INVALID = "请回复“好”或编号1–{count}。"
ASK_HOURS = "用了多少工时？如“2.5”“2.5小时”“150分钟”（0.5–16小时，按半小时计）。"
HOURS_UNREADABLE = "没有看懂工时。请回复如“2.5”“2.5小时”或“150分钟”。"
HOURS_OUT_OF_RANGE = "工时应在0.5到16小时之间，按半小时计。请重新回复，如“2.5”。"
ASK_ITEMS = "处理了几件？回复数字，没有请回复“跳过”。"
ITEMS_INVALID = "请回复件数（0–9999的整数），或“跳过”。"
ASK_DESCRIPTION = "请简要描述工作内容（4–500字，写清做了什么、结果如何）。"
DESCRIPTION_SHORT = "描述太短，请至少写4个字，说清做了什么。"
DESCRIPTION_LONG = "描述有{length}字，超过500字，请精简后重新发送。"
SUMMARY = (
    "请核对：\n日期：{date}\n职责：{duty}\n{key_task}任务类型：{task_type}\n"
    "工时：{hours}小时\n件数：{items}\n描述：{description}"
)
SUMMARY_KEY_TASK = "重点工作：{title}\n"
NOT_GIVEN = "未填"
SAVED = "已保存。{day}共填报{total}小时。"
UPDATED = "已修改。{day}共填报{total}小时。"
LOCKED = "这条记录已审核通过或所在月份已结账，不能再修改或删除。"
FLAGGED = "系统提示：{labels}。审核人会重点查看，如有误可发送“修改”更正。"
DELETE_SUMMARY = "要删除这条记录吗？\n{line}"
DELETED = "已删除：{line}"
SKIP_WORDS = {"跳过", "无", "没有", "不填", "略"}
YES_WORDS = {"是", "确定", "确认", "好", "对"}
NO_WORDS = {"否", "不", "不是", "重选"}
ACCEPT_WORDS = {"好", "确认", "确定", "是", "默认", "ok", "OK"}
ALL_WORDS = {"全部", "清单", "列表"}

# Commands
NO_ENTRIES_TO_CHANGE = "您还没有可以修改或删除的记录。"
NO_SUCH_ENTRY = "没有第{number}条记录。发送“本周”查看记录和编号。"
ENTRY_LINE = "[{number}] {date} {duty} {hours}小时 {status}"
PERIOD_HEAD = "{title}（{start}–{end}）共{total}小时："
PERIOD_EMPTY = "{title}（{start}–{end}）还没有记录。"
DAY_LINE = "{date}：{hours}小时"
MISSING = "未填的工作日：{days}"
NONE_MISSING = "工作日都已填报。"
ENTRY_FLAGGED = "（提示：{flags}）"
CHANGE_HINT = "发送“修改 编号”或“删除 编号”处理某条记录。"
WHO_ASK = "请在“谁管”后写关键词，如“谁管 食品安全”。"
WHO_NONE = "没有找到与“{word}”有关的职责。换个关键词试试。"
WHO_HEAD = "与“{word}”有关的职责："
WHO_LINE = "{number}. {department}：{text}"
STATUS = {"submitted": "待审", "approved": "已通过", "returned": "已退回"}

WHO_MISSING_HEADS_ONLY = "“谁没填”供部门负责同志查看本部门的填报情况。"
WHO_MISSING_BAD_DAY = (
    "没有看懂日期“{text}”。请发送“谁没填”“谁没填 昨天”或“谁没填 11-20”（不能是以后的日期）。"
)
WHO_MISSING_NOT_WORKDAY = "{day}不是工作日，不需要填报。"
WHO_MISSING_NONE = "{day}本部门应填报的同志都已填报。"
WHO_MISSING_HEAD = "{day}尚未填报（{count}人，不含请假出差和领导干部）："
WHO_MISSING_MORE = "等，另有{count}人"
WHO_MISSING_HINT = "发送“谁没填 昨天”可查看前一天。"
WHO_MISSING_OWN_DAYS = "{day}不是单位的工作日，以下只统计按本人工作日安排当天上班的同志。"
GROUP_HELP = (
    "在群里@我可以发送：本周汇总、本月报告（部门负责同志），谁管 关键词（查职责）。"
    "填报、修改、请假请在和我的单聊里发送。"
)
