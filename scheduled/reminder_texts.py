"""Texts of reminders and notices (通报) the scheduler sends; rendering is pure."""

from __future__ import annotations

from datetime import date

from backend.outbox.service import OutgoingContent
from bot.neutral import for_text

WEEKDAYS = "一二三四五六日"
LOG_BUTTON_STEP = "remind_log"
REVIEW_BUTTON_STEP = "remind_review"

STAFF_TITLE = "履职填报提醒"
STAFF_LINES = {
    "1": "{day}的履职记录还没有填报，花一分钟记一下吧。",
    "2": "下班前再提醒一次：{day}的履职记录还没有填报。",
    "3": "早上好！{day}的履职记录还没有填报，请尽快补上。",
}
STAFF_HINT = "点“立即填报”，或回复“填报”“2小时 接待群众来访”即可。"
REVIEW_TITLE = "履职审核提醒"
REVIEW_LINES = {
    "1": "有超过{days}个工作日未审核的履职记录在等您。",
    "2": "下班前再提醒一次：有超过{days}个工作日未审核的履职记录。",
    "3": "早上好！仍有超过{days}个工作日未审核的履职记录，请尽快处理。",
}
REVIEW_HINT = "点“开始审核”，或回复“审核”逐条处理。"
STAFF_NOTICE = (
    "【履职填报通报】{department}：{day}经三次提醒，仍有{count}人未填报履职记录：{names}。"
)
REVIEW_NOTICE = (
    "【履职审核通报】{department}：经三次提醒，截至{day}仍有超过{days}个工作日未审核的记录："
    "{names}。"
)


def day_label(day: date) -> str:
    """Return e.g. 10月8日（周四）."""
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def staff_reminder(day: date, stage: str, task_id: str) -> OutgoingContent:
    """Render the card reminding members to log `day`, with a button to start at once."""
    line = STAFF_LINES[stage].format(day=day_label(day))
    button = {"text": "立即填报", "style": 1, "key": f"{LOG_BUTTON_STEP}|{day.isoformat()}"}
    return _card(STAFF_TITLE, line, STAFF_HINT, button, task_id)


def review_reminder(stage: str, days: int, task_id: str) -> OutgoingContent:
    """Render the card reminding reviewers of entries waiting past the deadline."""
    line = REVIEW_LINES[stage].format(days=days)
    button = {"text": "开始审核", "style": 1, "key": f"{REVIEW_BUTTON_STEP}|start"}
    return _card(REVIEW_TITLE, line, REVIEW_HINT, button, task_id)


def _card(title: str, line: str, hint: str, button: dict, task_id: str) -> OutgoingContent:
    card = {
        "card_type": "button_interaction",
        "main_title": {"title": title, "desc": line},
        "sub_title_text": hint,
        "task_id": task_id,
        "button_list": [button],
    }
    return OutgoingContent("template_card", card)


def staff_notice(department: str, day: date, names: list[str]) -> OutgoingContent:
    """Render the notice to a head listing who has still not logged `day`."""
    text = STAFF_NOTICE.format(
        department=for_text(department),
        day=day_label(day),
        count=len(names),
        names="、".join(for_text(n) for n in names),
    )
    return OutgoingContent("text", {"content": text})


def review_notice(department: str, day: date, days: int, lines: list[str]) -> OutgoingContent:
    """Render the notice to a head listing reviewers with overdue entries."""
    text = REVIEW_NOTICE.format(
        department=for_text(department),
        day=day_label(day),
        days=days,
        names="、".join(for_text(line) for line in lines),
    )
    return OutgoingContent("text", {"content": text})
