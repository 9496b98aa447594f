"""A survey's results, aggregated in SQL: response rates, distributions, scores, free texts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import distinct, func
from sqlmodel import Session, col, select

from backend.models import (
    Department,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    saved_id,
)
from backend.models.surveys import QuestionKind
from backend.surveys import audience as audiences
from backend.surveys import queries as survey_queries
from backend.surveys import questions as rules

SCORE_BUCKETS = (
    (0, 60, "0–59"),
    (60, 70, "60–69"),
    (70, 80, "70–79"),
    (80, 90, "80–89"),
    (90, 101, "90–100"),
)
TEXT_LIMIT = 500


@dataclass(frozen=True)
class RateRow:
    """Response rate of one respondent department (invited None for link answers)."""

    department: str
    invited: int | None
    responded: int

    @property
    def rate(self) -> float | None:
        """Return responded ÷ invited as a percentage (None when nobody was invited)."""
        return round(100 * self.responded / self.invited, 2) if self.invited else None


@dataclass(frozen=True)
class ScoreRow:
    """The score of one evaluated department."""

    department_id: int | None
    department: str
    score: float | None
    responses: int


@dataclass
class QuestionResult:
    """One question's distribution ((label, count) rows), mean and free-text answers."""

    question: SurveyQuestion
    counts: list[tuple[str, int]] = field(default_factory=list)
    answered: int = 0
    mean: float | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    """Everything the results page, the charts and the export show."""

    survey: Survey
    responses: int
    rates: list[RateRow]
    scores: list[ScoreRow]
    questions: list[QuestionResult]


def survey_results(session: Session, *, survey: Survey) -> SurveyResults:
    """Aggregate the survey's responses."""
    survey_id = saved_id(survey)
    questions = survey_queries.questions_of(session, survey_id=survey_id)
    return SurveyResults(
        survey=survey,
        responses=survey_queries.response_count(session, survey_id=survey_id),
        rates=response_rates(session, survey=survey),
        scores=department_scores(session, survey=survey),
        questions=question_results(session, questions=questions),
    )


def _names(session: Session) -> dict[int | None, str]:
    query = select(col(Department.id), col(Department.name))
    return {dept_id: name for dept_id, name in session.exec(query).all() if dept_id is not None}


def response_rates(session: Session, *, survey: Survey) -> list[RateRow]:
    """Return invited and responded counts per respondent department."""
    invited = audiences.audience_by_department(session, survey=survey)
    query = (
        select(
            col(SurveyResponse.department_id),
            func.count(distinct(col(SurveyResponse.respondent_key))),
        )
        .where(col(SurveyResponse.survey_id) == survey.id)
        .group_by(col(SurveyResponse.department_id))
    )
    responded = dict(session.exec(query).all())
    names = _names(session)
    rows = [
        RateRow(names.get(d, str(d)), invited.get(d), responded.get(d, 0))
        for d in sorted(set(invited) | {d for d in responded if d is not None})
    ]
    if None in responded:
        rows.append(RateRow("扫码/链接填写", None, responded[None]))
    return rows


def department_scores(session: Session, *, survey: Survey) -> list[ScoreRow]:
    """Return each evaluated department's mean response score (rounded to 0.01)."""
    query = (
        select(
            SurveyResponse.evaluated_department_id,
            func.avg(SurveyResponse.score),
            func.count(col(SurveyResponse.id)),
        )
        .where(SurveyResponse.survey_id == survey.id)
        .group_by(col(SurveyResponse.evaluated_department_id))
    )
    names = _names(session)
    rows = [
        ScoreRow(d, names.get(d, "（未指定）"), rules.rounded(avg), count)
        for d, avg, count in session.exec(query).all()
    ]
    return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0)))


def question_results(session: Session, *, questions: list[SurveyQuestion]) -> list[QuestionResult]:
    """Return the distribution of every question (choices, ratings, score buckets, texts)."""
    counts = _value_counts(session, [saved_id(q) for q in questions])
    several = [
        saved_id(q) for q in questions if q.kind in (QuestionKind.MULTIPLE, QuestionKind.TEXT)
    ]
    texts = _texts(session, [saved_id(q) for q in questions if q.kind == QuestionKind.TEXT])
    answered = _answered(session, several)
    results = []
    for q in questions:
        q_id = saved_id(q)
        options, numbers = counts[q_id]["option"], counts[q_id]["number"]
        total = (
            answered.get(q_id, 0)
            if q_id in several
            else sum(options.values()) + sum(numbers.values())
        )
        result = QuestionResult(q, answered=total, texts=texts.get(q_id, []))
        _fill(result, options, numbers)
        results.append(result)
    return results


def _fill(result: QuestionResult, options: dict, numbers: dict) -> None:
    q = result.question
    if q.kind in rules.CHOICE_KINDS:
        result.counts = [
            (o.label, options.get(i, 0)) for i, o in enumerate(rules.options_of(q), start=1)
        ]
    elif q.kind in rules.RATING_TOPS:
        result.counts = [
            (str(n), numbers.get(float(n), 0)) for n in range(1, rules.RATING_TOPS[q.kind] + 1)
        ]
    elif q.kind == QuestionKind.SCORE:
        result.counts = [
            (label, sum(c for v, c in numbers.items() if low <= v < high))
            for low, high, label in SCORE_BUCKETS
        ]
    total = sum(numbers.values())
    if total:
        result.mean = round(sum(v * c for v, c in numbers.items()) / total, 2)


def _value_counts(session: Session, ids: list[int]) -> dict[int, dict[str, dict]]:
    """Count answers per (question, option) and (question, number) in one indexed GROUP BY."""
    query = (
        select(SurveyAnswer.question_id, SurveyAnswer.option, SurveyAnswer.number, func.count())
        .where(col(SurveyAnswer.question_id).in_(ids))
        .group_by(col(SurveyAnswer.question_id), col(SurveyAnswer.option), col(SurveyAnswer.number))
    )
    found: dict[int, dict[str, dict]] = defaultdict(lambda: {"option": {}, "number": {}})
    for question_id, option, number, count in session.exec(query).all():
        if option is not None:
            found[question_id]["option"][option] = count
        elif number is not None:
            found[question_id]["number"][float(number)] = count
    return found


def _answered(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    query = (
        select(col(SurveyAnswer.question_id), func.count(distinct(col(SurveyAnswer.response_id))))
        .where(col(SurveyAnswer.question_id).in_(ids))
        .group_by(col(SurveyAnswer.question_id))
    )
    return dict(session.exec(query).all())


def _texts(session: Session, ids: list[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    query = (
        select(SurveyAnswer.question_id, SurveyAnswer.text)
        .where(col(SurveyAnswer.question_id).in_(ids), col(SurveyAnswer.text).is_not(None))
        .order_by(col(SurveyAnswer.id).desc())
    )
    found: dict[int, list[str]] = defaultdict(list)
    for question_id, text in session.exec(query).all():
        if text is not None and len(found[question_id]) < TEXT_LIMIT:
            found[question_id].append(text)
    return found
