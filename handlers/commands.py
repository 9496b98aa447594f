"""General commands: 今天/本周/上周, 修改/删除, 谁管, and the one-entry delete form."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from backend.entries import service as entries
from backend.entries.review.labels import flag_label
from backend.models import Duty, DutyEntry, Staff, saved_id
from backend.org import catalogue
from backend.schedule.absences import absences_of
from backend.schedule.patterns import member_calendars
from bot.replies import Reply, TextReply
from handlers import duty_entry, forms, texts
from handlers.forms import Context, Invalid
from handlers.parsing import small_number
from handlers.turn import Turn

PERIODS = {"今天": "today", "本周": "this_week", "上周": "last_week"}
# Other ways members ask for their own period: 我的本周, 本周记录, 我的记录 …
PERIOD_ALIASES = {
    **{f"我的{word}": word for word in PERIODS},
    **{f"{word}记录": word for word in PERIODS},
    **{f"我{word}的记录": word for word in PERIODS},
    "我的记录": "本周",
    "我的填报": "本周",
}


def is_period(text: str) -> bool:
    """Tell whether the text asks for the member's own entries of a period."""
    return text in PERIODS or text in PERIOD_ALIASES


WHO_PREFIXES = ("谁管", "谁负责")


def period(word: str, today: date) -> tuple[str, date, date]:
    """Return (title, first day, last day) of 今天, 本周 or 上周 (or one of their aliases)."""
    word = PERIOD_ALIASES.get(word, word)
    monday = today - timedelta(days=today.weekday())
    if PERIODS[word] == "today":
        return word, today, today
    if PERIODS[word] == "this_week":
        return word, monday, monday + timedelta(days=6)
    return word, monday - timedelta(days=7), monday - timedelta(days=1)


def my_entries(session: Session, staff: Staff, word: str, *, now: datetime) -> list[Reply]:
    """List my entries of the period, hours per day and which workdays are missing."""
    title, start, end = period(word, now.date())
    rows = entries.entries_between(session, staff=staff, start=start, end=end)
    span = {"title": title, "start": _short(start), "end": _short(end)}
    missing = _missing_days(session, staff, rows, start, min(end, now.date()))
    if not rows:
        return [TextReply("\n".join([texts.PERIOD_EMPTY.format(**span), missing]))]
    numbers = _numbers(session, staff)
    total = f"{sum(r.hours for r in rows):g}"
    lines = [texts.PERIOD_HEAD.format(**span, total=total)]
    lines += [_entry_line(session, row, numbers.get(saved_id(row), 0)) for row in rows]
    lines += _day_lines(rows) if start != end else []
    return [TextReply("\n".join([*lines, missing, texts.CHANGE_HINT]))]


def _short(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _numbers(session: Session, staff: Staff) -> dict[int, int]:
    recent = entries.recent_entries(session, staff=staff)
    return {saved_id(entry): number for number, entry in enumerate(recent, start=1)}


def _entry_line(session: Session, entry: DutyEntry, number: int) -> str:
    duty = session.get(Duty, entry.duty_id)
    title = duty.title[:16] if duty else ""
    line = texts.ENTRY_LINE.format(
        number=number or "-",
        date=_short(entry.work_date),
        duty=title,
        hours=f"{entry.hours:g}",
        status=texts.STATUS.get(entry.status, entry.status),
    )
    flags = [flag_label(code) for code in entry.flags.split(",") if code]
    return line + (texts.ENTRY_FLAGGED.format(flags="；".join(flags)) if flags else "")


def _day_lines(rows: list[DutyEntry]) -> list[str]:
    per_day: dict[date, float] = {}
    for row in rows:
        per_day[row.work_date] = per_day.get(row.work_date, 0.0) + row.hours
    return [texts.DAY_LINE.format(date=_short(d), hours=f"{h:g}") for d, h in per_day.items()]


def _missing_days(
    session: Session, staff: Staff, rows: list[DutyEntry], start: date, end: date
) -> str:
    """Name the member's own working days (their work pattern) with nothing logged or absence."""
    if end < start:
        return texts.NONE_MISSING
    logged = {row.work_date for row in rows}
    away = {
        day
        for absence in absences_of(session, staff=staff, since=start)
        for day in _days(max(absence.start_date, start), min(absence.end_date, end))
    }
    calendar = member_calendars(session, [saved_id(staff)], (start, end))[saved_id(staff)]
    workdays = calendar.workdays_between(start, end)
    missing = [d for d in workdays if d not in logged and d not in away]
    if not missing:
        return texts.NONE_MISSING
    return texts.MISSING.format(days="、".join(_short(d) for d in missing))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def pick_entry(session: Session, staff: Staff, argument: str) -> DutyEntry | str:
    """Return the entry `修改 n` means (n as listed by 本周; none: the last) or why not."""
    recent = entries.recent_entries(session, staff=staff)
    if not recent:
        return texts.NO_ENTRIES_TO_CHANGE
    number = _entry_number(argument)
    if not 1 <= number <= len(recent):
        return texts.NO_SUCH_ENTRY.format(number=argument[:10])
    entry = recent[number - 1]
    return texts.LOCKED if entries.is_locked(session, entry=entry) else entry


def _entry_number(argument: str) -> int:
    """Return the number in `修改 n` (1 when there is none; 0 when it is not a usable one)."""
    number = small_number(argument)
    if number is not None:
        return number
    return 0 if any(ch.isdigit() for ch in argument) else 1


def change_entry(turn: Turn, argument: str, *, delete: bool) -> list[Reply]:
    """Open the entry for 修改 (at its summary) or ask to confirm 删除."""
    picked = pick_entry(turn.session, turn.staff, argument)
    if isinstance(picked, str):
        return [TextReply(picked)]
    if delete:
        return forms.start(turn, DELETE_FORM, answers={"entry_id": picked.id})
    return start_edit(turn, picked)


def entry_answers(entry: DutyEntry) -> dict:
    """Return an entry as the answers of the form (for 修改)."""
    return {
        "entry_id": entry.id,
        "date": entry.work_date.isoformat(),
        "date_ok": True,
        "duty": entry.duty_id,
        "key_task": entry.key_task_id,
        "task_type": entry.task_type_code,
        "hours": entry.hours,
        "items": entry.items,
        "description": entry.description,
    }


def start_edit(turn: Turn, entry: DutyEntry) -> list[Reply]:
    """Open an entry in the form at its confirmation, so `修改 工时` changes one answer."""
    return forms.start(turn, duty_entry.EDIT_FORM, answers=entry_answers(entry))


def _delete_summary(ctx: Context) -> str:
    entry = ctx.session.get(DutyEntry, ctx.answers["entry_id"])
    return texts.DELETE_SUMMARY.format(line=_entry_line(ctx.session, entry, 0) if entry else "")


def _delete(ctx: Context) -> list[Reply]:
    entry = entries.own_entry(ctx.session, staff=ctx.staff, entry_id=ctx.answers["entry_id"])
    if entry is None:
        raise Invalid(texts.NO_ENTRIES_TO_CHANGE)
    line = _entry_line(ctx.session, entry, 0)
    try:
        entries.delete_entry(ctx.session, entry=entry)
    except entries.EntryLocked as exc:
        raise Invalid(texts.LOCKED) from exc
    return [TextReply(texts.DELETED.format(line=line))]


DELETE_FORM = forms.register(
    forms.Form("duty_delete", texts.DELETE_TITLE, (), _delete_summary, _delete)
)


def who_handles(session: Session, text: str) -> list[Reply]:
    """Answer `谁管 <关键词>` with the responsible departments, best match first."""
    word = text
    for prefix in WHO_PREFIXES:
        word = word.removeprefix(prefix)
    word = word.strip(" ：:？?")
    if not word:
        return [TextReply(texts.WHO_ASK)]
    found = catalogue.who_handles(session, keyword=word)
    if not found:
        return [TextReply(texts.WHO_NONE.format(word=word))]
    lines = [texts.WHO_HEAD.format(word=word)]
    lines += [
        texts.WHO_LINE.format(number=i, department=r.department, text=r.text)
        for i, r in enumerate(found, start=1)
    ]
    return [TextReply("\n".join(lines))]
