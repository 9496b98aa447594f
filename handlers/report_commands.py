"""本周汇总 / 本月报告: a department head asks for the group's weekly summary or monthly report."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from backend.models import Staff
from backend.reports.requests import COMMANDS, request_report
from bot.replies import Reply, TextReply

REPORT_WORDS = frozenset(COMMANDS)


def report_command(session: Session, staff: Staff, text: str, *, now: datetime) -> list[Reply]:
    """Queue the report (rendered and posted to the department group by the scheduler)."""
    reply = request_report(session, staff=staff, kind=COMMANDS[text], today=now.date())
    return [TextReply(reply)]
