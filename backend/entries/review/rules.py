"""The review rules as data: flag codes, their labels, limits and the description check."""

from __future__ import annotations

import re

DAILY_HOURS_LIMIT = 12.0
DUPLICATE_LOOKBACK_DAYS = 30
MIN_DESCRIPTION_CHARS = 8
MIN_SPECIFIC_CHARS = 4

OVER_STANDARD = "over_standard"
DAY_OVER_LIMIT = "day_over_limit"
REPEATED = "repeated_description"
COPIED = "copied_description"
NON_WORKDAY = "non_workday"
FOREIGN_DUTY = "foreign_duty"
SHORT = "short_description"
VAGUE = "vague_description"

FLAG_ORDER = (
    OVER_STANDARD,
    DAY_OVER_LIMIT,
    REPEATED,
    COPIED,
    NON_WORKDAY,
    FOREIGN_DUTY,
    SHORT,
    VAGUE,
)

GENERIC_WORDS = (
    "处理日常事务", "日常事务", "日常工作", "参加会议", "相关工作", "其他工作", "有关工作",
    "开会", "会议", "调研", "学习", "写材料", "材料", "文件", "资料", "日常", "事务", "工作",
    "处理", "其他", "相关", "有关", "完成", "参加", "办公", "值班", "整理", "协助", "配合",
    "负责", "开展", "落实", "推进", "事项", "业务", "各项", "一些", "若干", "等", "了", "和", "及",
)  # fmt: skip

_NOT_MEANINGFUL = re.compile(r"[\s\W_]+", re.UNICODE)
_GENERIC = re.compile("|".join(sorted(map(re.escape, GENERIC_WORDS), key=len, reverse=True)))


def meaningful_text(description: str) -> str:
    """Return the description without whitespace and punctuation."""
    return _NOT_MEANINGFUL.sub("", description or "")


def description_flag(description: str) -> str | None:
    """Return SHORT or VAGUE when a description cannot tell who did what with what result."""
    text = meaningful_text(description)
    if len(text) < MIN_DESCRIPTION_CHARS:
        return SHORT
    if len(_GENERIC.sub("", text)) < MIN_SPECIFIC_CHARS:
        return VAGUE
    return None


def ordered(flags: set[str]) -> list[str]:
    """Return flags in their display order."""
    return [code for code in FLAG_ORDER if code in flags]


def parse_flags(stored: str | None) -> list[str]:
    """Split the comma-separated flags stored on an entry."""
    return [code for code in (stored or "").split(",") if code]
