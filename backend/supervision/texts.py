"""Every Chinese text of QR supervision: public pages, console, WeCom messages."""

from __future__ import annotations

from backend.models.supervision import RatingLevel, WorkOrderStatus

LEVEL_LABELS = {
    RatingLevel.VERY_SATISFIED: "非常满意",
    RatingLevel.SATISFIED: "满意",
    RatingLevel.BASIC: "基本满意",
    RatingLevel.DISSATISFIED: "不满意",
    RatingLevel.VERY_DISSATISFIED: "非常不满意",
}
FIVE_LEVELS = list(LEVEL_LABELS)
# The original pilot's four-level scale (非常满意 / 满意 / 基本满意 / 不满意).
FOUR_LEVELS = FIVE_LEVELS[:4]

GOOD_TAGS = ["服务热情", "办事高效", "一次办好", "解释清楚", "环境整洁"]
BAD_TAGS = ["态度生硬", "办事拖延", "多次跑腿", "解释不清", "不在岗位", "吃拿卡要"]
BASIC_TAGS = ["等候时间长", "流程较繁琐", "指引不清楚", "服务尚可"]
LEVEL_TAGS = {
    RatingLevel.VERY_SATISFIED: GOOD_TAGS,
    RatingLevel.SATISFIED: GOOD_TAGS,
    RatingLevel.BASIC: BASIC_TAGS,
    RatingLevel.DISSATISFIED: BAD_TAGS,
    RatingLevel.VERY_DISSATISFIED: BAD_TAGS,
}

STATUS_LABELS = {
    WorkOrderStatus.OPEN: "待回访",
    WorkOrderStatus.VISITED: "已回访，整改中",
    WorkOrderStatus.RECTIFIED: "已报送整改情况",
    WorkOrderStatus.CLOSED: "已办结",
}

CARD_INSTRUCTION = "微信扫码：查看职责 · 评价服务 · 投诉建议"
CARD_DEPARTMENT_PERSON = "本单位服务窗口"

# Validation messages (public form).
NO_LEVEL = "请选择一个评价等级"
LEVEL_NOT_ON_SCALE = "评价等级无效，请重新选择"
BAD_TAG = "所选评价理由无效，请重新选择"
COMMENT_TOO_LONG = "留言不能超过 {limit} 字（现有 {count} 字）"
COMPLAINT_EMPTY = "投诉请写明具体情况"
CONTACT_TOO_LONG = "联系人姓名不能超过 20 字"
BAD_PHONE = "联系电话格式不正确（请填写手机号或座机号）"
ALREADY_RATED = "您今天已经评价过该单位，每台设备每天只能评价一次，感谢您的参与"
UNKNOWN_CODE = "二维码无效或已停用，请核对后重新扫码"
UNKNOWN_TICKET = "查询码不存在，请核对后重新输入"
TOO_MANY = "操作过于频繁，请稍后再试"
NETWORK_BUSY = (
    "您所在网络今天对该单位的评价已达上限，请明天再来；"
    "如有急事，请拨打 12345 政务服务便民热线反映。"
)
UNIT_BUSY = (
    "该单位今天收到的投诉和差评已较多，工作人员正在逐一处理；"
    "如有急事，请拨打 12345 政务服务便民热线反映。"
)
STALE_FORM = "页面已过期或来源无法验证，请刷新页面后重新提交"
FOLLOWUP_NOT_READY = "工单尚未办结，办结后才能再次评价"
FOLLOWUP_DONE = "您已对该工单作出再次评价，感谢您的参与"
THANKS = "感谢您的评价！"
THANKS_ORDER = "您的意见已转为工单，交由 {department} 办理。请保存查询码，随时查看办理进度："

# Console messages.
NOTE_REQUIRED = "请填写{what}"
NOTE_TOO_LONG = "{what}不能超过 {limit} 字"
WRONG_STEP = "工单当前状态为“{status}”，不能{action}"
ORDER_NOT_FOUND = "找不到该工单"
BAD_DATE = "日期格式应为 YYYY-MM-DD"
BAD_FILTER = "筛选条件无效"
VISIT_DONE = "已记录回访"
RECTIFY_DONE = "已报送整改情况"
CLOSE_DONE = "工单已办结"
SCALE_SAVED = "评价等级设置已保存"
CODES_ISSUED = "已生成二维码 {count} 个"
POST_SAVED = "已设为窗口岗位：{title}"
POST_FORM_INVALID = "请选择人员并填写岗位名称（50 字以内）"

# WeCom messages (through the outbox).
ORDER_OPENED = (
    "【码上监督·新工单】{department}收到{kind}（{level}）\n"
    "工单号：{ticket}\n对象：{target}\n内容：{text}\n"
    "请于 {visit_due} 前完成回访，{rectify_due} 前报送整改情况。"
)
ORDER_DIGEST = (
    "【码上监督·新工单汇总】{department}又收到 {count} 件工单（上次通知后新增）：\n{lines}{more}\n"
    "请按期限逐件回访和整改，详情见后台“码上监督 → 工单”。"
)
ORDER_DIGEST_LINE = "{ticket}｜{kind}（{level}）｜{target}｜{text}"
ORDER_DIGEST_MORE = "\n……另有 {count} 件，请到后台查看"
VISIT_REMINDER = (
    "【码上监督·提醒】工单 {ticket}（{department}）今天（{due}）是回访期限，请尽快回访。"
)
VISIT_OVERDUE = (
    "【码上监督·督办】工单 {ticket}（{department}）回访已超期（期限 {due}），请立即办理。"
)
RECTIFY_REMINDER = (
    "【码上监督·提醒】工单 {ticket}（{department}）整改报送期限为 {due}，还剩 {left} 个工作日。"
)
RECTIFY_OVERDUE = (
    "【码上监督·督办】工单 {ticket}（{department}）整改报送已超期（期限 {due}），请立即办理。"
)
KIND_COMPLAINT = "投诉"
KIND_BAD_RATING = "差评"
NO_TEXT = "（未填写）"
