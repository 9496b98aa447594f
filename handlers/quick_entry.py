"""Quick entry in one line: `2.5h 接待群众来访 处理3件` → summary → 确认."""

from __future__ import annotations

from datetime import datetime

from backend.models import Duty
from backend.org import catalogue
from bot.replies import Reply
from handlers import duty_entry
from handlers.forms import Invalid
from handlers.parsing import QuickParts, bigrams, hours_in_range, parse_quick
from handlers.turn import Turn

MIN_SCORE = 2


def quick_entry(turn: Turn, text: str) -> list[Reply] | None:
    """Start an entry from one line with hours in it; None when the line has no hours."""
    parts = parse_quick(text)
    if parts is None:
        return None
    duties = catalogue.duties_of(turn.session, department_id=turn.staff.department_id)
    answers = _understood(parts, match_duty(duties, parts.description), turn.now)
    return duty_entry.start_entry(turn, answers=answers)


def match_duty(duties: list[Duty], words: str) -> Duty | None:
    """Return the one duty the words point at, or None when unclear."""
    wanted = bigrams(words)
    scored = sorted(((len(wanted & bigrams(d.title)), d.seq, d) for d in duties), reverse=True)
    if not scored or scored[0][0] < MIN_SCORE:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][2]


def _understood(parts: QuickParts, duty: Duty | None, now: datetime) -> dict:
    answers: dict = {"date": now.date().isoformat()}
    if hours_in_range(parts.hours):
        answers["hours"] = parts.hours
    answers["items"] = parts.items
    if _description_ok(parts.description):
        answers["description"] = parts.description
    if duty is not None:
        answers["duty"] = duty.id
        answers["key_task"] = None
        answers["task_type"] = duty.default_task_type_code or duty_entry.DEFAULT_TASK_TYPE
    return answers


def _description_ok(text: str) -> bool:
    try:
        duty_entry.check_description(text)
    except Invalid:
        return False
    return True
