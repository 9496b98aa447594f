"""The one engine that runs every form: ask, validate, store, advance, back, cancel, resume."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from backend.chat import conversations
from backend.chat.conversations import FormState
from bot.replies import Reply, TextReply
from handlers import cards
from handlers.forms import texts
from handlers.forms.model import Context, Form, GoBack, Invalid
from handlers.turn import Turn

IDLE_TIMEOUT = timedelta(minutes=30)
CONFIRM = "confirm"
_FORMS: dict[str, Form] = {}
_FACTORIES: dict[str, Callable[[Session, str], Form | None]] = {}


def register(form: Form) -> Form:
    """Make a form known to the engine by its name."""
    _FORMS[form.name] = form
    return form


def register_factory(prefix: str, factory: Callable[[Session, str], Form | None]) -> None:
    """Build forms named `prefix:…` on demand (e.g. a survey from its questions in the DB)."""
    _FACTORIES[prefix] = factory


def form_named(session: Session, name: str) -> Form | None:
    """Return the form with this name, static or built by a factory."""
    if name in _FORMS:
        return _FORMS[name]
    prefix = name.partition(":")[0]
    factory = _FACTORIES.get(prefix)
    return factory(session, name) if factory else None


def start(turn: Turn, form: Form, *, answers: dict | None = None) -> list[Reply]:
    """Begin a form (answers already known are not asked) and ask its first open question."""
    row = conversations.begin(turn.form, form=form.name, answers=answers or {}, now=turn.now)
    ctx = _context(turn, dict(answers or {}))
    return _advance(ctx, form, row, history=[])


def paused_title(turn: Turn) -> str | None:
    """Return the title of the member's kept (paused) form, if any."""
    row = turn.form.state
    if row is None or not row.paused:
        return None
    form = form_named(turn.session, row.form)
    return form.title if form else None


def handle(turn: Turn, text: str) -> list[Reply] | None:
    """Answer a text inside the member's form; None when there is no form to answer."""
    row = turn.form.state
    if row is None:
        return None
    form = form_named(turn.session, row.form)
    if form is None:
        conversations.finish(turn.form)
        return None
    if text in texts.CANCEL_WORDS:
        conversations.finish(turn.form)
        return [TextReply(texts.CANCELLED)]
    ctx = _context(turn, conversations.answers_of(row))
    if row.paused or conversations.is_idle(row, now=turn.now, idle=IDLE_TIMEOUT):
        return _resume(ctx, form, row, text)
    return _answer(ctx, form, row, text)


def handle_button(turn: Turn, event_key: str) -> list[Reply] | None:
    """Answer a card button press as if its value had been typed at its step."""
    parsed = cards.read_button_key(event_key)
    row = turn.form.state
    if parsed is None:
        return None
    if row is None or row.paused or parsed[0] != row.step:
        return [TextReply(texts.CARD_STALE)]
    return handle(turn, parsed[1])


def confirms(state: FormState | None, text: str) -> bool:
    """Tell whether `text` confirms the form (which then saves what it collected)."""
    return state is not None and state.step == CONFIRM and text in texts.CONFIRM_WORDS


def _context(turn: Turn, answers: dict) -> Context:
    return Context(turn.session, turn.staff, turn.now, answers, turn.key, form=turn.form)


def _resume(ctx: Context, form: Form, row: FormState, text: str) -> list[Reply] | None:
    if text in texts.RESUME_WORDS:
        history = conversations.history_of(row)
        return _advance(ctx, form, row, history=history)
    conversations.pause(row)
    return None


def _answer(ctx: Context, form: Form, row: FormState, text: str) -> list[Reply]:
    history = conversations.history_of(row)
    if text in texts.BACK_WORDS:
        return _back(ctx, form, row, history)
    if text in texts.HELP_WORDS:
        return [TextReply(texts.IN_FORM_HELP.format(title=form.title)), *_ask(ctx, form, row.step)]
    if row.step == CONFIRM:
        return _confirm(ctx, form, row, text, history)
    step = form.step(row.step)
    if step is None:
        return _advance(ctx, form, row, history=history)
    try:
        value = step.parse(ctx, text)
    except Invalid as problem:
        return [TextReply(str(problem))]
    except GoBack:
        return _back(ctx, form, row, history)
    _store(ctx, step.key, value, step.resets)
    return _advance(ctx, form, row, history=[*history, step.key])


def _store(ctx: Context, key: str, value: Any, resets: tuple[str, ...]) -> None:
    for stale in resets:
        ctx.answers.pop(stale, None)
    ctx.answers[key] = value


def _back(ctx: Context, form: Form, row: FormState, history: list[str]) -> list[Reply]:
    if not history:
        return [TextReply(texts.AT_FIRST_STEP), *_ask(ctx, form, row.step)]
    previous = history.pop()
    ctx.answers.pop(previous, None)
    return _advance(ctx, form, row, history=history)


def _confirm(
    ctx: Context, form: Form, row: FormState, text: str, history: list[str]
) -> list[Reply]:
    if text in texts.CONFIRM_WORDS:
        assert ctx.form is not None  # a form being answered was loaded into the context
        conversations.finish(ctx.form)
        try:
            return form.finish(ctx)
        except Invalid as problem:
            if ctx.form.state is None:
                ctx.form.state = row  # refused before saving anything: the form waits as it was
            return [TextReply(str(problem))]
    if form.edit is not None:
        try:
            if form.edit(ctx, text):
                return _advance(ctx, form, row, history=history)
        except Invalid as problem:
            return [TextReply(str(problem) + _confirm_hint(ctx, form))]
    if text.startswith(texts.EDIT_PREFIX):
        return _edit(ctx, form, row, text.removeprefix(texts.EDIT_PREFIX).strip(), history)
    return [TextReply(texts.CONFIRM_INVALID + _confirm_hint(ctx, form))]


def _edit(ctx: Context, form: Form, row: FormState, word: str, history: list[str]) -> list[Reply]:
    step = form.step_by_label(word)
    if step is None or not step.applies(ctx):
        problem = texts.EDIT_UNKNOWN.format(word=word) if word else texts.CONFIRM_INVALID
        return [TextReply(problem + _confirm_hint(ctx, form))]
    ctx.answers.pop(step.key, None)
    return _advance(ctx, form, row, history=history)


def _advance(ctx: Context, form: Form, row: FormState, *, history: list[str]) -> list[Reply]:
    """Store the state and ask the first applicable unanswered step (or confirm)."""
    step = next((s for s in form.steps if s.key not in ctx.answers and s.applies(ctx)), None)
    key = step.key if step else CONFIRM
    conversations.save(row, step=key, answers=ctx.answers, history=history, now=ctx.now)
    return _ask(ctx, form, key)


def _ask(ctx: Context, form: Form, key: str) -> list[Reply]:
    if key == CONFIRM:
        text = form.summary(ctx) + "\n" + _confirm_hint(ctx, form)
        buttons = [("确认", texts.CARD_CONFIRM), ("取消", texts.CARD_CANCEL)]
        return [TextReply(text), _card(ctx, form.title, key, buttons)]
    step = form.step(key)
    assert step is not None
    replies: list[Reply] = [TextReply(step.prompt(ctx))]
    if step.buttons is not None:
        replies.append(_card(ctx, form.title, key, step.buttons(ctx)))
    return replies


def _card(ctx: Context, title: str, step: str, buttons: list[tuple[str, str]]) -> Reply:
    task = cards.task_id(ctx.staff.wecom_userid, step, ctx.now.timestamp())
    description = "也可以直接回复文字"
    return cards.button_card(
        title=title, description=description, step=step, buttons=buttons, task=task
    )


def _confirm_hint(ctx: Context, form: Form) -> str:
    labels = "/".join(s.label for s in form.steps if s.applies(ctx) and s.label)
    return texts.CONFIRM_HINT.format(labels=labels) if labels else "回复“确认”或“取消”。"
