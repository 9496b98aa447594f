"""Answering a survey in chat: `问卷` lists, `问卷 N` starts; a form built from the DB questions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from backend.models import Department, Staff, Survey, SurveyQuestion, saved_id
from backend.models.surveys import SURVEY_KIND_LABELS, QuestionKind
from backend.surveys import audience as audiences
from backend.surveys import queries as survey_queries
from backend.surveys import questions as rules
from backend.surveys import service as surveys
from bot.replies import Reply, TextReply
from handlers import forms
from handlers import survey_texts as texts
from handlers.forms import Context, Invalid, Step
from handlers.parsing import small_number
from handlers.turn import Turn

PREFIX = "survey"
RESUME = "继续"
ASK_TARGET = "_ask_target"  # set when the member chooses which department to evaluate
MAX_CARD_OPTIONS = 6
_CACHE: dict[int, tuple[tuple[int, int], list[SurveyQuestion]]] = {}


def form_name(survey_id: int) -> str:
    """Return the engine's name of a survey's form."""
    return f"{PREFIX}:{survey_id}"


def survey_command(turn: Turn, text: str) -> list[Reply]:
    """Answer `问卷` (list my open surveys) and `问卷 N` (start survey N)."""
    rest = text.removeprefix(texts.COMMAND).strip()
    if not rest:
        return [TextReply(_listing(turn.session, turn.staff, turn.now))]
    survey_id = small_number(rest, digits=9)
    if survey_id is None:
        return [TextReply(texts.NOT_A_NUMBER.format(example=1))]
    return start_survey(turn, survey_id)


def _listing(session: Session, staff: Staff, now: datetime) -> str:
    found = surveys.open_surveys_for(session, staff=staff, now=now)
    if not found:
        return texts.NONE_OPEN
    lines = [texts.LIST_HEAD.format(count=len(found))]
    for survey in found:
        count = len(survey_queries.questions_of(session, survey_id=saved_id(survey)))
        kind = SURVEY_KIND_LABELS.get(survey.kind, survey.kind)
        closes = surveys.local_time(survey.closes_at, now)
        line = texts.LIST_LINE.format(
            id=survey.id, title=survey.title, kind=kind, count=count, closes=closes
        )
        lines.append(line)
    lines.append(texts.LIST_TAIL.format(id=found[0].id))
    return "\n".join(lines)


def start_survey(turn: Turn, survey_id: int) -> list[Reply]:
    """Open survey N for the member, or say politely why not."""
    session, staff, now = turn.session, turn.staff, turn.now
    survey = session.get(Survey, survey_id)
    problem = surveys.problem(survey, now=now)
    if problem:
        return [TextReply(problem)]
    assert survey is not None  # an unknown survey is a problem
    if not audiences.in_audience(session, survey=survey, staff=staff):
        return [TextReply(surveys.texts.NOT_IN_AUDIENCE.format(title=survey.title))]
    kept = turn.form.state
    if kept is not None and kept.form == form_name(saved_id(survey)):
        return forms.handle(turn, RESUME) or []  # carry on, nothing lost
    pending = surveys.pending_choices(session, survey=survey, staff=staff)
    if not pending:
        return [TextReply(surveys.texts.ALREADY.format(title=survey.title))]
    one = len(pending) == 1
    answers = {"target": pending[0].id if pending[0] else None} if one else {ASK_TARGET: True}
    count = len(survey_queries.questions_of(session, survey_id=saved_id(survey)))
    intro = f"\n{survey.introduction}" if survey.introduction else ""
    opening = texts.START.format(title=survey.title, count=count, introduction=intro)
    form = build_form(session, form_name(saved_id(survey)))
    assert form is not None  # the survey exists
    first, *rest = forms.start(turn, form, answers=answers)
    assert isinstance(first, TextReply)  # a form asks its first question in text
    return [TextReply(f"{opening}\n\n{first.content}"), *rest]


def build_form(session: Session, name: str) -> forms.Form | None:
    """Build the form of survey `survey:N` from its questions (the engine's factory)."""
    survey_id = name.partition(":")[2]
    number = small_number(survey_id, digits=9)
    survey = session.get(Survey, number) if number is not None else None
    if survey is None:
        return None
    questions = _questions(session, saved_id(survey))
    steps = [_target_step(survey)] + [_step(survey, q, len(questions)) for q in questions]
    summary, finish = _summary(survey, questions), _finisher(survey, questions)
    return forms.Form(name, survey.title, tuple(steps), summary, finish)


def _questions(session: Session, survey_id: int) -> list[SurveyQuestion]:
    """Return the questions, reused across messages until they are replaced (detached copies)."""
    version = survey_queries.questions_version(session, survey_id=survey_id)
    cached = _CACHE.get(survey_id)
    if cached is None or cached[0] != version:
        rows = survey_queries.questions_of(session, survey_id=survey_id)
        cached = _CACHE[survey_id] = (
            version,
            [SurveyQuestion(**q.model_dump(warnings=False)) for q in rows],
        )
    return cached[1]


def _open_or_refuse(survey: Survey, ctx: Context) -> None:
    problem = surveys.problem(survey, now=ctx.now)
    if problem:
        raise Invalid(texts.STILL_CLOSED.format(problem=problem))


def _targets(ctx: Context, survey: Survey) -> list[Department | None]:
    memo = ctx.memo.setdefault("targets", {})
    if survey.id not in memo:
        memo[survey.id] = surveys.pending_choices(ctx.session, survey=survey, staff=ctx.staff)
    return memo[survey.id]


def _target_step(survey: Survey) -> Step:
    def prompt(ctx: Context) -> str:
        lines = "\n".join(f"{i}. {d.name}" for i, d in enumerate(_targets(ctx, survey), 1) if d)
        return texts.TARGET_PROMPT.format(lines=lines)

    def parse(ctx: Context, text: str) -> int | None:
        _open_or_refuse(survey, ctx)
        choices = _targets(ctx, survey)
        number = small_number(text)
        if number is not None and 1 <= number <= len(choices):
            chosen = choices[number - 1]
            return chosen.id if chosen else None
        raise Invalid(texts.TARGET_INVALID.format(count=len(choices)))

    return Step(
        "target", "评价对象", prompt, parse, condition=lambda ctx: ASK_TARGET in ctx.answers
    )


def _prompt_text(question: SurveyQuestion, total: int) -> str:
    lines = [f"{question.seq}/{total} {question.text}"]
    if question.kind in rules.CHOICE_KINDS:
        options = rules.options_of(question)
        lines += [f"{i}. {o.label}" for i, o in enumerate(options, start=1)]
    hint = {
        QuestionKind.MULTIPLE: texts.MULTIPLE_PROMPT,
        QuestionKind.SCORE: texts.SCORE_PROMPT,
        QuestionKind.TEXT: texts.TEXT_PROMPT,
    }.get(question.kind)
    if question.kind in rules.RATING_TOPS:
        hint = texts.RATING_PROMPT.format(top=rules.RATING_TOPS[question.kind])
    lines.append((hint or "") + ("" if question.required else texts.OPTIONAL))
    return "\n".join(line for line in lines if line)


def _buttons(question: SurveyQuestion):
    if question.kind == QuestionKind.RATING5:
        return lambda ctx: [(str(n), f"{n}分") for n in range(1, 6)]
    if question.kind == QuestionKind.SINGLE:
        options = rules.options_of(question)
        if len(options) <= MAX_CARD_OPTIONS:
            return lambda ctx: [(str(i), o.label) for i, o in enumerate(options, start=1)]
    return None


def _step(survey: Survey, question: SurveyQuestion, total: int) -> Step:

    def parse(ctx: Context, text: str):
        _open_or_refuse(survey, ctx)
        if text in texts.SKIP_WORDS:
            text = ""
        try:
            return rules.read_text(question, text) if text else rules.check(question, None)
        except rules.AnswerError as problem:
            raise Invalid(str(problem)) from problem

    def prompt(ctx: Context) -> str:
        return _prompt_text(question, total)

    return Step(f"q{question.id}", str(question.seq), prompt, parse, buttons=_buttons(question))


def _values(ctx: Context, questions: list[SurveyQuestion]) -> dict[int, object]:
    return {saved_id(q): ctx.answers.get(f"q{q.id}") for q in questions}


def _summary(survey: Survey, questions: list[SurveyQuestion]) -> Callable[[Context], str]:
    def summary(ctx: Context) -> str:
        lines = [texts.SUMMARY_HEAD.format(title=survey.title)]
        target = ctx.answers.get("target")
        if target:
            name = ctx.session.get_one(Department, target).name
            lines.append(texts.SUMMARY_TARGET.format(name=name))
        values = _values(ctx, questions)
        lines += [
            f"{q.seq}. {q.text[:12]}：{rules.describe(q, values[saved_id(q)])[:20]}"
            for q in questions
        ]
        return "\n".join(lines)

    return summary


def _finisher(survey: Survey, questions: list[SurveyQuestion]) -> Callable[[Context], list[Reply]]:
    def finish(ctx: Context) -> list[Reply]:
        target = ctx.answers.get("target")
        try:
            response = surveys.submit_response(
                ctx.session,
                survey=survey,
                values=_values(ctx, questions),
                channel="chat",
                respondent_key=audiences.respondent_key(survey, ctx.staff),
                now=ctx.now,
                staff=ctx.staff,
                evaluated_department_id=target,
            )
        except (surveys.SurveyUnavailable, surveys.AlreadyAnswered, rules.AnswerError) as exc:
            raise Invalid(str(exc)) from exc
        return [TextReply(_thanks(ctx, survey, response.score, target))]

    return finish


def _thanks(ctx: Context, survey: Survey, score: float | None, target: int | None) -> str:
    if score is None or target is None:
        return texts.SUBMITTED.format(title=survey.title)
    name = ctx.session.get_one(Department, target).name
    return texts.SUBMITTED_SCORE.format(title=survey.title, name=name, score=rules.rounded(score))


forms.register_factory(PREFIX, build_form)
