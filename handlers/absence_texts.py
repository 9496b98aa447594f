"""User-facing Chinese texts of absences (请假, 出差) and of reminder and notice cards."""

USAGE = (
    "请这样登记：“请假 今天”“请假 明天”“出差 11-24至11-26”。"
    "审核人可为本单位同事登记：“请假 李晓燕 11-24”。取消请发“取消请假 11-24”。"
)
DATE_UNREADABLE = "没有看懂日期“{text}”。请写“今天”“明天”“11-24”或“11-24至11-26”。"
NOBODY = "本单位没有找到“{name}”。请写同事的姓名，如“请假 李晓燕 11-24”。"
SEVERAL = "本单位有{count}位“{name}”，请改用企业微信账号，如“请假 {example} 11-24”。"
SAVED_SELF = "已登记{kind}：{period}。这期间不会收到填报提醒。"
SAVED_OTHER = "已为{name}登记{kind}：{period}。这期间不会提醒其填报。"
CANCELLED = "已取消{name}{day}的请假/出差登记（{count}条）。"
NOTHING_TO_CANCEL = "{name}{day}没有请假或出差登记。"

# Reminder and notice cards
FORM_OPEN = "您正在填写“{title}”，请先完成，或回复“取消”后再点“立即填报”。"
NOTICE_READ = "已确认收到通知《{title}》。"
NOTICE_GONE = "这条通知已不存在。"
