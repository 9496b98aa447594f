"""Reads over surveys: questions, specs, links, counts, and the scores reports use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.models import Survey, SurveyQuestion, SurveyResponse, saved_id
from backend.models.surveys import QuestionKind, SurveyKind, SurveyStatus
from backend.surveys import audience as audiences
from backend.surveys import questions as rules
from backend.surveys.spec import QuestionSpec, SurveySpec


def find_survey(session: Session, *, survey_id: int | None) -> Survey | None:
    """Return the survey with this id, or None."""
    return session.get(Survey, survey_id) if survey_id is not None else None


def reread_survey(session: Session, *, survey: Survey) -> Survey:
    """Return the survey read again in this session (it was read in another)."""
    found = session.get(Survey, survey.id)
    if found is None:
        raise LookupError(f"survey {survey.id} vanished")
    return found


@dataclass(frozen=True)
class SurveyScore:
    """A department's score in one survey (for the monthly report)."""

    survey_id: int
    title: str
    kind: str
    department_id: int
    score: float
    responses: int
    closes_at: datetime


def questions_of(session: Session, *, survey_id: int) -> list[SurveyQuestion]:
    """Return the survey's questions in order."""
    query = select(SurveyQuestion).where(col(SurveyQuestion.survey_id) == survey_id)
    return list(session.exec(query.order_by(col(SurveyQuestion.seq))).all())


def questions_version(session: Session, *, survey_id: int) -> tuple[int, int]:
    """Return (count, highest id) of the questions: it changes whenever they are replaced."""
    query = select(func.count(), func.max(SurveyQuestion.id))
    count, highest = session.exec(query.where(SurveyQuestion.survey_id == survey_id)).one()
    return count, highest or 0


def spec_of(session: Session, *, survey: Survey) -> SurveySpec:
    """Return the survey as a spec (to edit some of its settings and store it back)."""
    questions = tuple(
        QuestionSpec(
            q.text,
            QuestionKind(q.kind),
            tuple((o.label, o.score) for o in rules.options_of(q)),
            q.required,
            q.weight,
        )
        for q in questions_of(session, survey_id=saved_id(survey))
    )
    departments = audiences.target_departments(session, survey_id=saved_id(survey))
    targets = tuple(saved_id(d) for d in departments)
    return SurveySpec(
        title=survey.title,
        kind=SurveyKind(survey.kind),
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        target_department_ids=targets,
        audience=audiences.audience_of(survey),
        introduction=survey.introduction,
        anonymous=survey.anonymous,
        questions=questions,
    )


def by_token(session: Session, *, token: str) -> Survey | None:
    """Return the survey behind a short link."""
    return session.exec(select(Survey).where(Survey.token == token)).first()


def list_surveys(session: Session) -> list[Survey]:
    """Return every survey, newest first."""
    return list(session.exec(select(Survey).order_by(col(Survey.id).desc())).all())


def response_count(session: Session, *, survey_id: int) -> int:
    """Return how many responses the survey has."""
    query = select(func.count()).select_from(SurveyResponse)
    return session.exec(query.where(SurveyResponse.survey_id == survey_id)).one()


def closing_soon(session: Session, *, now: datetime, within: timedelta) -> list[Survey]:
    """Return the published surveys open now that close within `within`."""
    query = select(Survey).where(
        Survey.status == SurveyStatus.PUBLISHED,
        Survey.opens_at <= now,
        Survey.closes_at > now,
        Survey.closes_at <= now + within,
    )
    return list(session.exec(query.order_by(col(Survey.id))).all())


def department_scores(
    session: Session, *, department_id: int, start: datetime, end: datetime
) -> list[SurveyScore]:
    """Return the department's score in each survey open at some time in [start, end)."""
    query = (
        select(Survey, func.avg(SurveyResponse.score), func.count(col(SurveyResponse.score)))
        .join(SurveyResponse, col(SurveyResponse.survey_id) == Survey.id)
        .where(SurveyResponse.evaluated_department_id == department_id)
        .where(col(SurveyResponse.score).is_not(None))
        .where(Survey.opens_at < end, Survey.closes_at >= start)
        .group_by(col(Survey.id))
        .order_by(col(Survey.closes_at))
    )
    return [
        SurveyScore(saved_id(s), s.title, s.kind, department_id, score, count, s.closes_at)
        for s, avg, count in session.exec(query).all()
        if (score := rules.rounded(avg)) is not None  # always: only scored responses are averaged
    ]
