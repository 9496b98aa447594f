"""User-facing Chinese texts of a whole day logged in one message."""

TITLE = "一次填报多项工作"
PREVIEW = 16
NO_DESCRIPTION = "（未写内容）"
TOO_MANY = "一条消息最多填报{limit}项工作，请分几次发送。"
ASK_HEAD = "第{number}条“{preview}”："
ASK = {
    "date": "是哪天的工作？请回复如“今天”“昨天”“11-20”（只能补填7天内）。",
    "hours": "用了多少工时？如“2.5”“2小时半”“90分钟”（0.5–16小时，按半小时计）。",
    "description": "请写清做了什么（4–500字）。",
}
ASK_FIX = "请重新发送第{number}条，如“接待群众来访 2小时 处理3件”；回复“删除”去掉这一条。"
FIX_ONE = "请只写这一条工作，如“接待群众来访 2小时”；回复“删除”去掉这一条。"
LAST_ONE = "只剩这一条了，不需要的话回复“取消”。"
NO_SUCH_NUMBER = "编号应为1–{count}。"
SUMMARY_HEAD = "请核对（共{count}条，{total}小时）："
SUMMARY_LINE = "{number}. {day}｜{duty}｜{task_type}｜{hours}小时{items}\n   {description}"
ITEMS = "｜{items}件"
OFF_DAY = "（非工作日）"
SUMMARY_HINT = "回复“修改 编号”重写其中一条，“删除 编号”去掉一条。"
SAVED = "已保存{count}条。{totals}"
DAY_TOTAL = "{day}共填报{total}小时"
FLAGGED = "第{number}条系统提示：{labels}。审核人会重点查看，如有误可发送“修改”更正。"
MONTH_CLOSED = "其中有的日期所在月份已结账，不能再填报。请回复“修改 编号”改日期，或“删除 编号”。"
