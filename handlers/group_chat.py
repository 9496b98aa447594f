"""What the bot answers when @-mentioned in a department group: reports, who handles what.

Forms never run in a group (a member logs in the one-to-one chat), so a group message neither
reads nor moves the member's form.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.models import Staff
from bot.replies import Reply, TextReply
from handlers import commands, texts
from handlers.report_commands import REPORT_WORDS, report_command


def answer_in_group(session: Session, staff: Staff, text: str, *, now: datetime) -> list[Reply]:
    """Answer a group @-mention: 本周汇总 / 本月报告, 谁管 关键词, else what can be asked here."""
    if text in REPORT_WORDS:
        return report_command(session, staff, text, now=now)
    if text.startswith(commands.WHO_PREFIXES):
        return commands.who_handles(session, text)
    return [TextReply(texts.GROUP_HELP)]


def writes_in_group(text: str) -> bool:
    """Tell whether answering this group message writes (a report request does)."""
    return text in REPORT_WORDS
