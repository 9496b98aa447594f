"""User-facing Chinese texts of the form engine (cancel, back, timeout, confirm)."""

CANCEL_WORDS = {"取消", "退出", "算了"}
BACK_WORDS = {"返回", "上一步"}
RESUME_WORDS = {"继续"}
HELP_WORDS = {"帮助", "?", "？"}
CONFIRM_WORDS = {"确认", "确定", "提交", "好", "是"}
EDIT_PREFIX = "修改"

CANCELLED = "已取消，刚才填的内容没有保存。"
NOTHING_TO_CANCEL = "当前没有进行中的填报。"
NOTHING_TO_RESUME = "没有未完成的填报。发送“填报”开始新的填报。"
AT_FIRST_STEP = "已经是第一步了。"
RESUME_OFFER = "您有一份未完成的“{title}”，发送“继续”接着填，发送“取消”放弃。"
CONFIRM_HINT = "回复“确认”保存，“修改 {labels}”中的一项修改，“取消”放弃。"
CONFIRM_INVALID = "没有看懂。"
EDIT_UNKNOWN = "没有“{word}”这一项。"
CARD_STALE = "这张卡片已过期，请按最新的提示回复。"
CARD_CONFIRM = "确认保存"
CARD_CANCEL = "取消"
IN_FORM_HELP = "正在填写“{title}”：按提示回复即可；“返回”回到上一步，“取消”退出。"
