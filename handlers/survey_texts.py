"""User-facing Chinese texts of answering a survey (问卷) in chat."""

COMMAND = "问卷"
SKIP_WORDS = {"跳过", "不填", "略"}

NONE_OPEN = "目前没有需要您填写的问卷。"
LIST_HEAD = "您有{count}份问卷待填写："
LIST_LINE = "【{id}】{title}（{kind}，{count}题，{closes}截止）"
LIST_TAIL = "回复“问卷 编号”开始填写，如“问卷 {id}”。"
NOT_A_NUMBER = "请在“问卷”后写问卷编号，如“问卷 {example}”。发送“问卷”查看待填写的问卷。"
START = (
    "开始填写“{title}”，共{count}题。{introduction}\n"
    "随时回复“返回”修改上一题，“取消”退出，稍后回复“继续”接着填。"
)
TARGET_PROMPT = "请选择您要评价的部门，回复编号：\n{lines}"
TARGET_INVALID = "请回复清单里的编号（1–{count}）。"
OPTIONAL = "（选答，可回复“跳过”）"
RATING_PROMPT = "请回复 1–{top} 的整数（{top}为最好）。"
SCORE_PROMPT = "请回复 0–100 的分数。"
MULTIPLE_PROMPT = "可多选，编号用空格隔开，如“1 3”。"
TEXT_PROMPT = "请直接回复文字。"
STILL_CLOSED = "{problem}回复“取消”退出。"
SUMMARY_HEAD = "请核对您的答卷“{title}”："
SUMMARY_TARGET = "评价对象：{name}"
SUBMITTED = "已提交问卷“{title}”，感谢您的参与！"
SUBMITTED_SCORE = "已提交问卷“{title}”，您对{name}的评分为{score}分，感谢您的参与！"
