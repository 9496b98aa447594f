"""Quick entry: `2.5h 接待群众来访 处理3件` → summary → 确认; a whole day in one message too."""

from __future__ import annotations

from datetime import date

from backend.org import catalogue
from bot.replies import Reply
from handlers import day_entry, duty_entry
from handlers.day_parsing import DayPart, is_whole_day, split_day
from handlers.parsing import parse_quick
from handlers.turn import Turn


def quick_entry(turn: Turn, text: str) -> list[Reply] | None:
    """Start entries from a message with hours in it; None when it has no hours."""
    today = turn.now.date()
    parts = split_day(text, today)
    if is_whole_day(parts):
        return day_entry.start_day(turn, parts)
    timed = [part for part in parts if part.has_hours]
    if not timed and parse_quick(text) is None:
        return None
    duties = catalogue.duties_of(turn.session, department_id=turn.staff.department_id)
    part = timed[0] if timed else _whole_line(text, today)
    answers = _answers(day_entry.understood(part, duties, today))
    return duty_entry.start_entry(turn, answers=answers)


def _whole_line(text: str, today: date) -> DayPart:
    facts = parse_quick(text)
    assert facts is not None  # checked by the caller
    return DayPart(today, facts, has_hours=True)


def _answers(row: dict) -> dict:
    """Turn one understood piece of work into the entry form's answers (None: ask it)."""
    answers = {key: row[key] for key in ("date", "hours", "description") if row[key] is not None}
    answers["items"] = row["items"]
    if row["duty"] is not None:
        answers.update(duty=row["duty"], key_task=None, task_type=row["task_type"])
    return answers
