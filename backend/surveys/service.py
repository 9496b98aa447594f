"""Surveys: the one write path (create, edit, publish, close, submit); reads are in `queries`."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.models import (
    Department,
    Staff,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyTarget,
    saved_id,
)
from backend.models.surveys import AudienceKind, QuestionKind, SurveyStatus
from backend.outbox import service as outbox
from backend.surveys import audience as audiences
from backend.surveys import questions as rules
from backend.surveys import texts
from backend.surveys.queries import questions_of, response_count
from backend.surveys.spec import SurveySpec
from bot.neutral import for_text

TOKEN_BYTES = 6  # 8 URL-safe characters: the short link /s/<token>


class SurveyUnavailable(Exception):
    """The survey cannot be answered now (unknown, draft, not open yet, closed)."""


class AlreadyAnswered(Exception):
    """This respondent already submitted for this survey (and evaluated department)."""


class StaffOnly(SurveyUnavailable):
    """The survey asks invited staff: it is answered in WeCom, never anonymously by link."""


class SurveyLocked(Exception):
    """The survey has responses; its questions can no longer change."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_survey(session: Session, *, spec: SurveySpec) -> Survey:
    """Store a new draft survey with its questions and evaluated departments."""
    survey = Survey(
        title=spec.title,
        opens_at=spec.opens_at,
        closes_at=spec.closes_at,
        token=secrets.token_urlsafe(TOKEN_BYTES),
    )
    _apply(session, survey, spec)
    _replace_questions(session, survey, spec)
    return survey


def update_survey(session: Session, *, survey: Survey, spec: SurveySpec, questions: bool) -> None:
    """Change a survey's settings, and its questions too while nobody has answered."""
    if questions and response_count(session, survey_id=saved_id(survey)):
        raise SurveyLocked(texts.NOT_EDITABLE)
    _apply(session, survey, spec)
    if questions:
        _replace_questions(session, survey, spec)


def _apply(session: Session, survey: Survey, spec: SurveySpec) -> None:
    survey.title, survey.introduction, survey.kind = spec.title, spec.introduction, spec.kind
    survey.opens_at, survey.closes_at, survey.anonymous = (
        spec.opens_at,
        spec.closes_at,
        spec.anonymous,
    )
    survey.audience_kind = spec.audience.kind
    survey.audience = json.dumps(spec.audience.as_json())
    session.add(survey)
    session.flush()
    session.execute(delete(SurveyTarget).where(col(SurveyTarget.survey_id) == survey.id))
    for department_id in dict.fromkeys(spec.target_department_ids):
        session.add(SurveyTarget(survey_id=saved_id(survey), department_id=department_id))
    session.flush()


def _replace_questions(session: Session, survey: Survey, spec: SurveySpec) -> None:
    session.execute(delete(SurveyQuestion).where(col(SurveyQuestion.survey_id) == survey.id))
    for seq, q in enumerate(spec.questions, start=1):
        options = [{"label": label, "score": score} for label, score in q.options]
        weight = 0.0 if q.kind == QuestionKind.TEXT else q.weight
        session.add(
            SurveyQuestion(
                survey_id=saved_id(survey),
                seq=seq,
                text=q.text,
                kind=q.kind,
                options=json.dumps(options, ensure_ascii=False),
                required=q.required,
                weight=weight,
            )
        )
    session.flush()


def answerable_by_link(survey: Survey) -> bool:
    """Tell whether anyone with the link may answer without signing in (link surveys only)."""
    return survey.audience_kind == AudienceKind.LINK


def staff_only_text(survey: Survey) -> str:
    """Return why a staff survey cannot be answered through its public link."""
    return texts.STAFF_ONLY.format(title=survey.title, id=survey.id)


def problem(survey: Survey | None, *, now: datetime) -> str | None:
    """Return why the survey cannot be answered now, or None when it is open."""
    if survey is None:
        return texts.UNKNOWN_SURVEY
    if survey.status == SurveyStatus.DRAFT:
        return texts.NOT_PUBLISHED.format(title=survey.title)
    if survey.status == SurveyStatus.CLOSED or now >= _aware(survey.closes_at):
        return texts.CLOSED.format(title=survey.title, closes=local_time(survey.closes_at, now))
    if now < _aware(survey.opens_at):
        return texts.NOT_OPEN.format(title=survey.title, opens=local_time(survey.opens_at, now))
    return None


def local_time(moment: datetime, like: datetime) -> str:
    """Return 12月1日 18:00 in the time zone of `like`."""
    local = _aware(moment).astimezone(like.tzinfo)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def publish(session: Session, *, survey: Survey, now: datetime) -> int:
    """Publish the survey and queue an invitation to every audience member; return the count."""
    survey.status, survey.published_at = SurveyStatus.PUBLISHED, now
    session.add(survey)
    members = audiences.audience_staff(session, survey=survey)
    text = texts.INVITATION.format(
        title=for_text(survey.title),
        id=survey.id,
        introduction=f"\n{for_text(survey.introduction[:200])}" if survey.introduction else "",
        closes=local_time(survey.closes_at, now),
        count=len(questions_of(session, survey_id=saved_id(survey))),
    )
    content = outbox.OutgoingContent("text", {"content": text})
    user_ids = [m.wecom_userid for m in members]
    outbox.enqueue_to_users(
        session, user_ids=user_ids, content=content, dedupe_key=f"survey-invite:{survey.id}"
    )
    return len(user_ids)


def remind_non_respondents(session: Session, *, survey: Survey, now: datetime) -> int:
    """Queue a reminder to every invited member who has not answered; return how many."""
    members = audiences.non_respondents(session, survey=survey)
    text = texts.REMINDER.format(
        title=for_text(survey.title), id=survey.id, closes=local_time(survey.closes_at, now)
    )
    content = outbox.OutgoingContent("text", {"content": text})
    outbox.enqueue_to_users(
        session,
        user_ids=[m.wecom_userid for m in members],
        content=content,
        dedupe_key=f"survey-reminder:{survey.id}",
    )
    return len(members)


def close_survey(session: Session, *, survey: Survey) -> None:
    """Close the survey early: no more answers are accepted."""
    survey.status = SurveyStatus.CLOSED
    session.add(survey)


def submit_response(
    session: Session,
    *,
    survey: Survey,
    values: dict[int, Any],
    respondent_key: str,
    channel: str,
    now: datetime,
    staff: Staff | None = None,
    evaluated_department_id: int | None = None,
) -> SurveyResponse:
    """Check every answer, then store the response and its answers once (else AlreadyAnswered)."""
    reason = problem(survey, now=now)
    if reason:
        raise SurveyUnavailable(reason)
    _ensure_may_answer(session, survey, staff)
    survey_id = saved_id(survey)
    questions = questions_of(session, survey_id=survey_id)
    checked = {saved_id(q): rules.check(q, values.get(saved_id(q))) for q in questions}
    if evaluated_department_id is None:
        targets = audiences.target_departments(session, survey_id=survey_id)
        evaluated_department_id = targets[0].id if len(targets) == 1 else None
    response = SurveyResponse(
        survey_id=survey_id,
        respondent_key=respondent_key,
        channel=channel,
        staff_id=None if survey.anonymous or staff is None else staff.id,
        department_id=staff.department_id if staff else None,
        evaluated_department_id=evaluated_department_id,
        score=rules.response_score(questions, checked),
        submitted_at=now,
    )
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
    except IntegrityError as exc:
        raise AlreadyAnswered(texts.ALREADY.format(title=survey.title)) from exc
    _store_answers(session, saved_id(response), questions, checked)
    return response


def _ensure_may_answer(session: Session, survey: Survey, staff: Staff | None) -> None:
    """Refuse an anonymous answer to a staff survey, and a member outside its audience."""
    if answerable_by_link(survey):
        return
    if staff is None:
        raise StaffOnly(staff_only_text(survey))
    if not audiences.in_audience(session, survey=survey, staff=staff):
        raise SurveyUnavailable(texts.NOT_IN_AUDIENCE.format(title=survey.title))


def _store_answers(session: Session, response_id: int, questions, checked) -> None:
    rows = []
    for question in questions:
        value = checked[question.id]
        base = {"response_id": response_id, "question_id": question.id}
        if rules.is_blank(value):
            continue
        if isinstance(value, list):
            rows += [{**base, "option": n, "number": None, "text": None} for n in value]
        elif question.kind == QuestionKind.SINGLE:
            rows.append({**base, "option": value, "number": None, "text": None})
        elif question.kind == QuestionKind.TEXT:
            rows.append({**base, "option": None, "number": None, "text": value})
        else:
            rows.append({**base, "option": None, "number": float(value), "text": None})
    if rows:
        session.execute(insert(SurveyAnswer), rows)


def open_surveys_for(session: Session, *, staff: Staff, now: datetime) -> list[Survey]:
    """Return the published, open surveys the member is invited to and has not finished."""
    query = select(Survey).where(Survey.status == SurveyStatus.PUBLISHED)
    open_now = [
        s
        for s in session.exec(query.order_by(col(Survey.closes_at))).all()
        if not problem(s, now=now)
    ]
    invited = [s for s in open_now if audiences.in_audience(session, survey=s, staff=staff)]
    return [s for s in invited if pending_choices(session, survey=s, staff=staff)]


def pending_choices(session: Session, *, survey: Survey, staff: Staff) -> list[Department | None]:
    """Return what the member may still evaluate (None: a survey with no evaluated department)."""
    choices: list[Department | None] = list(
        audiences.evaluation_choices(session, survey=survey, staff=staff)
    ) or [None]
    key = audiences.respondent_key(survey, staff)
    done = audiences.answered_targets(session, survey_id=saved_id(survey), key=key)
    return [d for d in choices if (d.id if d else None) not in done]
