"""A whole day in one message: every piece of work it names, asked only for what is unclear.

The form `day_entry:N` holds the N entries the message gave (answers["entries"]); its steps ask,
entry by entry, only for a date, duty, hours or description the message did not make clear, then
show them all for one 确认. At the confirmation "修改 2" rewrites the second entry and "删除 2"
drops it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from backend.entries import service as entries
from backend.entries.review import flag_labels
from backend.models import Duty, DutyEntry, TaskType
from backend.org import catalogue
from bot.replies import Reply, TextReply
from handlers import day_texts, duty_entry, forms
from handlers.day_parsing import MAX_PARTS, DayPart, split_day
from handlers.forms import Context, Invalid, Step
from handlers.parsing import hours_in_range, normalise_digits
from handlers.turn import Turn

PREFIX = "day_entry"
FIELDS = ("date", "duty", "hours", "description")
FIX = "fix"
FIXING = "fixing"
_NUMBERED = re.compile(r"^(修改|改|重写|删除|删掉|删|去掉)?\s*第?\s*([0-9]{1,2})\s*条?$")
_DELETE_WORDS = {"删除", "删掉", "删", "去掉"}


def start_day(turn: Turn, parts: list[DayPart]) -> list[Reply]:
    """Open the form for the pieces of work of one message."""
    if len(parts) > MAX_PARTS:
        return [TextReply(day_texts.TOO_MANY.format(limit=MAX_PARTS))]
    duties = catalogue.duties_of(turn.session, department_id=turn.staff.department_id)
    if not duties:
        return [TextReply(duty_entry.texts.NO_DUTIES)]
    today = turn.now.date()
    rows = [understood(part, duties, today) for part in parts]
    return forms.start(turn, _form(len(rows)), answers={"entries": rows})


def understood(part: DayPart, duties: list[Duty], today: date) -> dict[str, Any]:
    """Return what one piece of work says, with None for what must still be asked."""
    duty = duty_entry.match_duty(duties, part.facts.description)
    task_type = (duty.default_task_type_code or duty_entry.DEFAULT_TASK_TYPE) if duty else None
    hours = part.facts.hours if part.has_hours and hours_in_range(part.facts.hours) else None
    return {
        "date": _allowed(part.day, today),
        "duty": duty.id if duty else None,
        "task_type": task_type,
        "hours": hours,
        "items": part.facts.items,
        "description": part.facts.description if _description_ok(part.facts.description) else None,
    }


def _allowed(day: date | None, today: date) -> str | None:
    if day is None or day > today or day < today - timedelta(days=duty_entry.BACKFILL_DAYS):
        return None
    return day.isoformat()


def _description_ok(text: str) -> bool:
    try:
        duty_entry.check_description(text)
    except Invalid:
        return False
    return True


def _rows(ctx: Context) -> list[dict[str, Any]]:
    return ctx.answers["entries"]


def _missing(index: int, field: str) -> Callable[[Context], bool]:
    def condition(ctx: Context) -> bool:
        rows = _rows(ctx)
        return FIXING not in ctx.answers and index < len(rows) and rows[index][field] is None

    return condition


def _asking(index: int, field: str) -> Callable[[Context], str]:
    def prompt(ctx: Context) -> str:
        row = _rows(ctx)[index]
        head = day_texts.ASK_HEAD.format(number=index + 1, preview=_preview(row))
        if field == "duty":
            return head + duty_entry._ask_duty(ctx)
        return head + day_texts.ASK[field]

    return prompt


def _reading(index: int, field: str) -> Callable[[Context, str], Any]:
    def parse(ctx: Context, text: str) -> Any:
        row = _rows(ctx)[index]
        if field == "date":
            row["date"] = duty_entry._parse_date(ctx, text)
        elif field == "duty":
            row["duty"] = duty_entry._parse_duty(ctx, text)
            row["task_type"] = _default_type(ctx, row["duty"])
        elif field == "hours":
            row["hours"] = duty_entry._parse_hours(ctx, text)
        else:
            row["description"] = duty_entry.check_description(text)
        return row[field]

    return parse


def _default_type(ctx: Context, duty_id: int) -> str:
    duty = ctx.session.get(Duty, duty_id)
    return (duty.default_task_type_code if duty else None) or duty_entry.DEFAULT_TASK_TYPE


def _preview(row: dict[str, Any]) -> str:
    text = row["description"] or day_texts.NO_DESCRIPTION
    return text if len(text) <= day_texts.PREVIEW else text[: day_texts.PREVIEW] + "…"


def _ask_fix(ctx: Context) -> str:
    return day_texts.ASK_FIX.format(number=ctx.answers[FIXING] + 1)


def _parse_fix(ctx: Context, text: str) -> int:
    index, rows = ctx.answers[FIXING], _rows(ctx)
    if text in _DELETE_WORDS:
        _drop(ctx, index)
        return index
    parts = split_day(text, ctx.today)
    if len(parts) != 1:
        raise Invalid(day_texts.FIX_ONE)
    old_day = rows[index]["date"]
    duties = catalogue.duties_of(ctx.session, department_id=ctx.staff.department_id)
    rows[index] = understood(parts[0], duties, ctx.today)
    if not parts[0].dated:
        rows[index]["date"] = old_day
    _forget_answers(ctx)
    return index


def _drop(ctx: Context, index: int) -> None:
    rows = _rows(ctx)
    if len(rows) == 1:
        raise Invalid(day_texts.LAST_ONE)
    del rows[index]
    _forget_answers(ctx)


def _forget_answers(ctx: Context) -> None:
    """Let the per-entry steps be asked again (their answers live in the entries themselves)."""
    for key in [k for k in ctx.answers if k.rstrip("0123456789") in FIELDS]:
        del ctx.answers[key]


def edit(ctx: Context, text: str) -> bool:
    """Read "修改 2" / "2" (rewrite the second entry) and "删除 2" (drop it) at the confirmation."""
    found = _NUMBERED.match(normalise_digits(text.strip()))
    if found is None:
        return False
    index = int(found[2]) - 1
    if not 0 <= index < len(_rows(ctx)):
        raise Invalid(day_texts.NO_SUCH_NUMBER.format(count=len(_rows(ctx))))
    if found[1] in _DELETE_WORDS:
        _drop(ctx, index)
        return True
    ctx.answers[FIXING] = index
    ctx.answers.pop(FIX, None)
    return True


def summary(ctx: Context) -> str:
    """Show every entry for one confirmation."""
    rows = _rows(ctx)
    total = sum(float(row["hours"]) for row in rows)
    lines = [day_texts.SUMMARY_HEAD.format(count=len(rows), total=f"{total:g}")]
    for number, row in enumerate(rows, start=1):
        lines.append(_summary_line(ctx, number, row))
    lines.append(day_texts.SUMMARY_HINT)
    return "\n".join(lines)


def _summary_line(ctx: Context, number: int, row: dict[str, Any]) -> str:
    day, session = _day(row), ctx.session
    duty, kind = session.get(Duty, row["duty"]), session.get(TaskType, row["task_type"])
    items = "" if row["items"] is None else day_texts.ITEMS.format(items=row["items"])
    return day_texts.SUMMARY_LINE.format(
        number=number,
        day=duty_entry.day_label(day)
        + ("" if duty_entry.member_works(ctx, day) else day_texts.OFF_DAY),
        duty=f"{duty.seq}. {duty.title}" if duty else "",
        task_type=kind.name if kind else row["task_type"],
        hours=f"{float(row['hours']):g}",
        items=items,
        description=row["description"],
    )


def finish(ctx: Context) -> list[Reply]:
    """Save every entry (once per message, however often it is delivered) and say the totals."""
    rows = _rows(ctx)
    if any(entries.month_is_closed(ctx.session, day=_day(row)) for row in rows):
        raise Invalid(day_texts.MONTH_CLOSED)
    saved = []
    for number, row in enumerate(rows, start=1):
        key = f"{ctx.key}#{number}"
        fields = _fields(row)
        saved.append(
            (
                number,
                entries.create_entry(ctx.session, staff=ctx.staff, fields=fields, client_key=key),
            )
        )
    return [TextReply(_saved_text(ctx, saved))]


def _day(row: dict[str, Any]) -> date:
    return date.fromisoformat(row["date"])


def _fields(row: dict[str, Any]) -> entries.EntryFields:
    return entries.EntryFields(
        work_date=_day(row),
        duty_id=row["duty"],
        key_task_id=None,
        task_type_code=row["task_type"],
        hours=float(row["hours"]),
        items=row["items"],
        description=row["description"],
    )


def _saved_text(ctx: Context, saved: list[tuple[int, DutyEntry]]) -> str:
    days = sorted({entry.work_date for _, entry in saved})
    totals = [
        day_texts.DAY_TOTAL.format(
            day=duty_entry.day_label(day),
            total=f"{entries.day_total(ctx.session, staff=ctx.staff, day=day):g}",
        )
        for day in days
    ]
    lines = [day_texts.SAVED.format(count=len(saved), totals="；".join(totals))]
    for number, entry in saved:
        flags = [code for code in entry.flags.split(",") if code]
        if flags:
            labels = "；".join(flag_labels(flags))
            lines.append(day_texts.FLAGGED.format(number=number, labels=labels))
    return "\n".join(lines)


def _steps(count: int) -> tuple[Step, ...]:
    steps = [Step(FIX, "", _ask_fix, _parse_fix, condition=_fixing, resets=(FIXING,))]
    for index in range(count):
        for field in FIELDS:
            steps.append(
                Step(
                    f"{field}{index}",
                    "",
                    _asking(index, field),
                    _reading(index, field),
                    condition=_missing(index, field),
                )
            )
    return tuple(steps)


def _fixing(ctx: Context) -> bool:
    return FIXING in ctx.answers


def _form(count: int) -> forms.Form:
    return forms.Form(
        f"{PREFIX}:{count}",
        day_texts.TITLE,
        _steps(count),
        summary,
        finish,
        edit=edit,
    )


def build_form(session: Session, name: str) -> forms.Form | None:
    """Build `day_entry:N` again from its name."""
    count = name.partition(":")[2]
    if not count.isdigit() or not 1 <= int(count) <= MAX_PARTS:
        return None
    return _form(int(count))


forms.register_factory(PREFIX, build_form)
