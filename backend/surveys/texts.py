"""User-facing Chinese texts of surveys shared by chat, the public form, import and the console."""

# Answer validation (chat and web say the same thing)
REQUIRED = "本题必答。"
CHOICE_UNKNOWN = "没有第{number}个选项，请回复 1–{count} 之间的编号。"
CHOICE_NOT_NUMBER = "请回复选项编号（1–{count}）。"
MULTIPLE_HINT = "请回复选项编号，多个编号用空格或逗号隔开，如“1 3”（1–{count}）。"
MULTIPLE_REPEATED = "选项编号重复了，请每个编号只写一次。"
RATING_RANGE = "请回复 1–{top} 之间的整数。"
SCORE_RANGE = "请回复 0–100 之间的分数（最多一位小数）。"
TEXT_TOO_LONG = "回答太长了（{length}字），请控制在{limit}字以内。"
TARGET_UNKNOWN = "请选择被评价的部门。"

# Submission
CLOSED = "问卷“{title}”已于{closes}截止，感谢关注。"
NOT_OPEN = "问卷“{title}”将于{opens}开始，届时再来填写。"
NOT_PUBLISHED = "问卷“{title}”尚未发布。"
ALREADY = "您已经提交过问卷“{title}”，每人只能提交一次，感谢参与。"
UNKNOWN_SURVEY = "没有找到这份问卷，链接可能有误或问卷已删除。"
NOT_IN_AUDIENCE = "问卷“{title}”不需要您填写。"
STAFF_ONLY = (
    "问卷“{title}”仅限受邀的工作人员填写，不能通过链接匿名提交。"
    "请在企业微信中向“履职助手”发送“问卷 {id}”填写，每人一份。"
)

# Invitations and reminders (chat messages through the outbox)
INVITATION = (
    "【问卷邀请】{title}{introduction}\n截止：{closes}，共{count}题。\n回复“问卷 {id}”开始填写。"
)
REMINDER = "【问卷提醒】“{title}”将于{closes}截止，您还没有填写。回复“问卷 {id}”开始填写。"

# Import and editing
SHEET_MISSING = "模板缺少工作表“{sheet}”，请下载最新模板后填写。"
NOT_A_WORKBOOK = "无法读取上传的文件，请上传用模板填写的 .xlsx 文件。"
TOO_MANY_QUESTIONS = "题目超过{limit}道，请精简后重新上传。"
TOO_BIG = "文件解压后过大，请只保留模板中的两张表。"
MISSING_ROW = "工作表“{sheet}”缺少“{header}”一行，请按模板填写。"
CELL_PROBLEM = "工作表“{sheet}”第{row}行{column}列（{header}）：{problem}"
EMPTY_VALUE = "不能为空"
UNKNOWN_VALUE = "“{value}”不是可选的值（{allowed}）"
BAD_NUMBER = "“{value}”不是数字"
BAD_WEIGHT = "权重应为 0 或正数"
BAD_TIME = "“{value}”不是时间，请写成 2026-12-01 09:00"
UNKNOWN_DEPARTMENT = "没有名为“{value}”的部门"
OPTIONS_NEEDED = "选择题至少需要两个选项，用“|”隔开，如“好=100|一般=60|差=0”"
OPTIONS_FORBIDDEN = "只有选择题可以填写选项"
OPTION_SCORE = "选项“{value}”的分值应为 0–100 的数字"
TEXT_WEIGHT = "填空题不计分，权重应为 0"
NO_QUESTIONS = "至少需要一道题"
CLOSE_BEFORE_OPEN = "截止时间应晚于开始时间"
NO_TARGETS = "请填写被评价部门"
NOT_EDITABLE = "问卷已有答卷，不能再修改题目。"
TOO_LONG = "太长了（最多{limit}字）"

# Public form
DEVICE_DONE = "您已经填写过这份问卷，每台设备只能提交一次。感谢您的参与！"
THANKS = "提交成功，感谢您的参与！"
FIX_BELOW = "有{count}处需要修改，请查看标红的题目。"
SESSION_EXPIRED = "页面已过期，请刷新后重新提交。"
TOO_MANY = "提交太频繁，请稍后再试。"
