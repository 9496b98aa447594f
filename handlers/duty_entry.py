"""The duty entry form (填报): date, duty, key task, task type, hours, items, description."""

from __future__ import annotations

from datetime import date, timedelta

from backend.entries import service as entries
from backend.entries.review import flag_labels
from backend.models import Duty, DutyEntry, KeyTask, TaskType, saved_id
from backend.models.org import FUNCTION_TYPE_LABELS
from backend.org import catalogue
from backend.schedule.patterns import own_workday
from bot.replies import Reply, TextReply
from handlers import forms, texts
from handlers.forms import Context, GoBack, Invalid, Step
from handlers.parsing import (
    ParseError,
    bigrams,
    hours_in_range,
    meaningful_length,
    parse_count,
    parse_date,
    parse_hours,
    small_number,
)
from handlers.turn import Turn

BACKFILL_DAYS = 7
LONG_LIST = 9
DESCRIPTION_MIN = 4
DESCRIPTION_MAX = 500
MAX_ITEMS = 9999
DEFAULT_TASK_TYPE = "business"
MIN_MATCH_SCORE = 2  # shared character pairs for a quick entry's words to point at a duty


def day_label(day: date) -> str:
    """Return 11月23日（周一）."""
    return f"{day.month}月{day.day}日（周{texts.WEEKDAYS[day.weekday()]}）"


def _work_date(ctx: Context) -> date:
    return date.fromisoformat(ctx.answers["date"])


def _ask_date(ctx: Context) -> str:
    return texts.ASK_DATE.format(today=day_label(ctx.today))


def _parse_date(ctx: Context, text: str) -> str:
    if not text or text in texts.ACCEPT_WORDS:
        return ctx.today.isoformat()
    try:
        day = parse_date(text, ctx.today)
    except ParseError as exc:
        raise Invalid(texts.DATE_UNREADABLE) from exc
    first = ctx.today - timedelta(days=BACKFILL_DAYS)
    if day > ctx.today:
        raise Invalid(texts.DATE_FUTURE)
    if day < first:
        raise Invalid(texts.DATE_TOO_OLD.format(days=BACKFILL_DAYS, first=day_label(first)))
    return day.isoformat()


def _off_day(ctx: Context) -> bool:
    return "date" in ctx.answers and not member_works(ctx, _work_date(ctx))


def member_works(ctx: Context, day: date) -> bool:
    """Tell whether the member works on `day` (their own work pattern), once per message."""
    known = ctx.memo.setdefault("workdays", {})
    if day not in known:
        known[day] = own_workday(ctx.session, saved_id(ctx.staff), day)
    return known[day]


def _parse_date_ok(ctx: Context, text: str) -> bool:
    if text in texts.YES_WORDS:
        return True
    if text in texts.NO_WORDS:
        raise GoBack
    raise Invalid(texts.DATE_OK_INVALID)


def _duties(ctx: Context) -> list[Duty]:
    # Prompts, parsers and conditions ask for the catalogue several times per message.
    if "duties" not in ctx.memo:
        department_id = ctx.staff.department_id
        ctx.memo["duties"] = catalogue.duties_of(ctx.session, department_id=department_id)
    return ctx.memo["duties"]


def _duty_line(duty: Duty) -> str:
    return f"{duty.seq}. {duty.title}"


def full_duty_list(duties: list[Duty]) -> str:
    """Return the catalogue as numbered lines grouped by function type."""
    lines, current = [], None
    for duty in duties:
        if duty.function_type != current:
            current = duty.function_type
            lines.append(f"【{FUNCTION_TYPE_LABELS.get(current, current)}】")
        lines.append(_duty_line(duty))
    return "\n".join(lines)


def _ask_duty(ctx: Context) -> str:
    duties = _duties(ctx)
    recent_ids = catalogue.recent_duty_ids(ctx.session, staff_id=saved_id(ctx.staff))
    by_id = {d.id: d for d in duties}
    recent = [by_id[i] for i in recent_ids if i in by_id]
    recent_text = "\n".join([texts.RECENT_DUTIES, *map(_duty_line, recent)]) if recent else ""
    if len(duties) > LONG_LIST:
        example = duties[0].title.removeprefix("负责")[:4]
        head = texts.ASK_DUTY_LONG.format(count=len(duties), example=example)
        return "\n".join(filter(None, [head, recent_text]))
    return "\n".join(filter(None, [texts.ASK_DUTY, recent_text, full_duty_list(duties)]))


def _parse_duty(ctx: Context, text: str) -> int:
    duties = _duties(ctx)
    if text in texts.ALL_WORDS:
        raise Invalid(full_duty_list(duties))
    number = small_number(text)
    if number is not None:
        found = next((d for d in duties if d.seq == number), None)
        if found is None:
            raise Invalid(texts.DUTY_OUT_OF_RANGE.format(number=text))
        return saved_id(found)
    matches = search_duties(duties, text)
    if len(matches) == 1:
        return saved_id(matches[0])
    if not matches:
        raise Invalid(texts.DUTY_NOT_FOUND.format(word=text[:20]))
    lines = "\n".join(map(_duty_line, matches[:LONG_LIST]))
    raise Invalid(texts.DUTY_SEVERAL.format(count=len(matches), lines=lines))


def search_duties(duties: list[Duty], words: str) -> list[Duty]:
    """Return the duties that match the words best (substring first, else shared pairs)."""
    exact = [d for d in duties if words and words in d.title]
    if exact:
        return exact
    wanted = bigrams(words)
    scored = [(len(wanted & bigrams(d.title)), d) for d in duties]
    best = max((score for score, _ in scored), default=0)
    return [d for score, d in scored if best and score == best]


def match_duty(duties: list[Duty], words: str) -> Duty | None:
    """Return the one duty the words point at, or None when unclear."""
    wanted = bigrams(words)
    scored = sorted(((len(wanted & bigrams(d.title)), d.seq, d) for d in duties), reverse=True)
    if not scored or scored[0][0] < MIN_MATCH_SCORE:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][2]


def _key_tasks(ctx: Context) -> list[KeyTask]:
    # Step conditions ask this several times per message; look it up once per duty.
    cache = ctx.memo.setdefault("key_tasks", {})
    duty_id = ctx.answers["duty"]
    if duty_id not in cache:
        cache[duty_id] = catalogue.key_tasks_for_duty(ctx.session, duty_id=duty_id)
    return cache[duty_id]


KEY_TASK_COUNT = "key_task_count"  # [duty id, its key tasks when chosen]: kept with the answers


def _has_key_tasks(ctx: Context) -> bool:
    # Asked on every later message; remembering the count saves a query per message.
    if "duty" not in ctx.answers:
        return False
    known = ctx.answers.get(KEY_TASK_COUNT)
    if not known or known[0] != ctx.answers["duty"]:
        known = ctx.answers[KEY_TASK_COUNT] = [ctx.answers["duty"], len(_key_tasks(ctx))]
    return known[1] > 0


def _ask_key_task(ctx: Context) -> str:
    lines = "\n".join(f"{i}. {t.title}" for i, t in enumerate(_key_tasks(ctx), start=1))
    return texts.ASK_KEY_TASK.format(lines=lines)


def _parse_key_task(ctx: Context, text: str) -> int | None:
    if text in texts.SKIP_WORDS or text == "0":
        return None
    tasks = _key_tasks(ctx)
    number = small_number(text)
    if number is not None and 1 <= number <= len(tasks):
        return tasks[number - 1].id
    raise Invalid(texts.KEY_TASK_INVALID.format(count=len(tasks)))


def _types(ctx: Context) -> list[TaskType]:
    if "task_types" not in ctx.memo:
        ctx.memo["task_types"] = catalogue.task_types(ctx.session)
    return ctx.memo["task_types"]


def default_task_type(ctx: Context) -> str:
    """Return the chosen duty's default task type code (业务 when it has none)."""
    duty_id = ctx.answers.get("duty")
    duty = next((d for d in _duties(ctx) if d.id == duty_id), None)
    duty = duty or ctx.session.get(Duty, duty_id)
    return (duty.default_task_type_code if duty else None) or DEFAULT_TASK_TYPE


def _ask_task_type(ctx: Context) -> str:
    types, default = _types(ctx), default_task_type(ctx)
    name = next((t.name for t in types if t.code == default), default)
    lines = "  ".join(f"{i}. {t.name}" for i, t in enumerate(types, start=1))
    return texts.ASK_TASK_TYPE.format(default=name, lines=lines)


def _task_type_buttons(ctx: Context) -> list[tuple[str, str]]:
    return [(str(i), t.name) for i, t in enumerate(_types(ctx), start=1)]


def _parse_task_type(ctx: Context, text: str) -> str:
    types = _types(ctx)
    if text in texts.ACCEPT_WORDS:
        return default_task_type(ctx)
    number = small_number(text)
    if number is not None and 1 <= number <= len(types):
        return types[number - 1].code
    found = next((t for t in types if t.name == text), None)
    if found is None:
        raise Invalid(texts.TASK_TYPE_INVALID.format(count=len(types)))
    return found.code


def _parse_hours(ctx: Context, text: str) -> float:
    try:
        hours = parse_hours(text)
    except ParseError as exc:
        raise Invalid(texts.HOURS_UNREADABLE) from exc
    if not hours_in_range(hours):
        raise Invalid(texts.HOURS_OUT_OF_RANGE)
    return hours


def _parse_items(ctx: Context, text: str) -> int | None:
    if text in texts.SKIP_WORDS:
        return None
    try:
        count = parse_count(text)
    except ParseError as exc:
        raise Invalid(texts.ITEMS_INVALID) from exc
    if count > MAX_ITEMS:
        raise Invalid(texts.ITEMS_INVALID)
    return count


def check_description(text: str) -> str:
    """Return the description unchanged, or raise Invalid when too short or too long."""
    if meaningful_length(text) < DESCRIPTION_MIN:
        raise Invalid(texts.DESCRIPTION_SHORT)
    if len(text) > DESCRIPTION_MAX:
        raise Invalid(texts.DESCRIPTION_LONG.format(length=len(text)))
    return text


def _ask_date_ok(ctx: Context) -> str:
    return texts.ASK_DATE_OK.format(day=day_label(_work_date(ctx)))


def _date_ok_buttons(ctx: Context) -> list[tuple[str, str]]:
    return [("是", "是，填这天"), ("否", "重选日期")]


STEPS = (
    Step("date", "日期", _ask_date, _parse_date, resets=("date_ok",)),
    Step("date_ok", "", _ask_date_ok, _parse_date_ok, condition=_off_day, buttons=_date_ok_buttons),
    Step("duty", "职责", _ask_duty, _parse_duty, resets=("key_task", "task_type")),
    Step("key_task", "重点工作", _ask_key_task, _parse_key_task, condition=_has_key_tasks),
    Step("task_type", "任务类型", _ask_task_type, _parse_task_type, buttons=_task_type_buttons),
    Step("hours", "工时", lambda c: texts.ASK_HOURS, _parse_hours),
    Step("items", "件数", lambda c: texts.ASK_ITEMS, _parse_items),
    Step("description", "描述", lambda c: texts.ASK_DESCRIPTION, lambda c, t: check_description(t)),
)


def _summary(ctx: Context) -> str:
    a, session = ctx.answers, ctx.session
    duty = session.get(Duty, a["duty"])
    task = session.get(KeyTask, a["key_task"]) if a.get("key_task") else None
    kind = session.get(TaskType, a["task_type"])
    return texts.SUMMARY.format(
        date=day_label(_work_date(ctx)),
        duty=_duty_line(duty) if duty else "",
        key_task=texts.SUMMARY_KEY_TASK.format(title=task.title) if task else "",
        task_type=kind.name if kind else a["task_type"],
        hours=f"{a['hours']:g}",
        items=texts.NOT_GIVEN if a.get("items") is None else a["items"],
        description=a["description"],
    )


def _fields(ctx: Context) -> entries.EntryFields:
    a = ctx.answers
    key_task = a.get("key_task") if _has_key_tasks(ctx) else None
    return entries.EntryFields(
        work_date=_work_date(ctx),
        duty_id=a["duty"],
        key_task_id=key_task,
        task_type_code=a["task_type"],
        hours=float(a["hours"]),
        items=a.get("items"),
        description=a["description"],
    )


def _finish(ctx: Context) -> list[Reply]:
    fields, session, staff = _fields(ctx), ctx.session, ctx.staff
    entry_id = ctx.answers.get("entry_id")
    try:
        if entry_id is None:
            entry = entries.create_entry(session, staff=staff, fields=fields, client_key=ctx.key)
        else:
            entry = _update(ctx, entry_id, fields)
    except entries.EntryLocked as exc:
        raise Invalid(texts.LOCKED) from exc
    total = entries.day_total(session, staff=staff, day=fields.work_date)
    template = texts.SAVED if entry_id is None else texts.UPDATED
    text = template.format(day=day_label(fields.work_date), total=f"{total:g}")
    flags = [code for code in entry.flags.split(",") if code]
    if flags:
        text += "\n" + texts.FLAGGED.format(labels="；".join(flag_labels(flags)))
    return [TextReply(text)]


def _update(ctx: Context, entry_id: int, fields: entries.EntryFields) -> DutyEntry:
    entry = entries.own_entry(ctx.session, staff=ctx.staff, entry_id=entry_id)
    if entry is None:
        raise Invalid(texts.NO_ENTRIES_TO_CHANGE)
    return entries.update_entry(ctx.session, entry=entry, fields=fields)


ENTRY_FORM = forms.register(forms.Form("duty_entry", texts.FORM_TITLE, STEPS, _summary, _finish))
EDIT_FORM = forms.register(forms.Form("duty_edit", texts.EDIT_TITLE, STEPS, _summary, _finish))


def start_entry(turn: Turn, *, answers: dict | None = None) -> list[Reply]:
    """Open the duty entry form, with whatever is already known filled in."""
    if not catalogue.duties_of(turn.session, department_id=turn.staff.department_id):
        return [TextReply(texts.NO_DUTIES)]
    return forms.start(turn, ENTRY_FORM, answers=answers)
