"""Excel export of a survey: a row per response and a summary sheet, through the one writer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from backend.excel.writer import Book, Column
from backend.models import (
    Department,
    Staff,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    saved_id,
)
from backend.models.surveys import SURVEY_KIND_LABELS, QuestionKind
from backend.surveys import questions as rules
from backend.surveys.results import SurveyResults

CHANNELS = {"chat": "企业微信", "link": "扫码/链接"}
HEAD_COLUMNS = [
    Column("编号", 8, "integer"),
    Column("提交时间", 17),
    Column("渠道", 10),
    Column("填写人", 10),
    Column("所在部门", 22),
    Column("被评价部门", 22),
    Column("得分", 8, "number"),
]


def _answers_by_response(session: Session, survey_id: int) -> dict[int, dict[int, list]]:
    query: Select[*tuple[Any, ...]] = (
        Select(
            col(SurveyAnswer.response_id),
            col(SurveyAnswer.question_id),
            col(SurveyAnswer.option),
            col(SurveyAnswer.number),
            col(SurveyAnswer.text),
        )
        .join(SurveyResponse, col(SurveyResponse.id) == SurveyAnswer.response_id)
        .where(col(SurveyResponse.survey_id) == survey_id)
        .order_by(col(SurveyAnswer.id))
    )
    found: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for response_id, question_id, option, number, text in session.exec(query).all():
        value = option if option is not None else (number if number is not None else text)
        found[response_id][question_id].append(value)
    return found


def _value(question: SurveyQuestion, given: list):
    if not given:
        return None
    if question.kind == QuestionKind.MULTIPLE:
        return rules.describe(question, sorted(given))
    if question.kind == QuestionKind.SINGLE:
        return rules.describe(question, given[0])
    return given[0]


def response_rows(session: Session, results: SurveyResults) -> Iterator[list]:
    """Yield one row per response: number, time, channel, who, departments, score, answers."""
    survey, questions = results.survey, [r.question for r in results.questions]
    names = dict(session.exec(select(Department.id, Department.name)).all())
    people = dict(session.exec(select(Staff.id, Staff.name)).all())
    answers = _answers_by_response(session, saved_id(survey))
    query = select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
    for r in session.exec(query.order_by(col(SurveyResponse.id))).all():
        who = "（匿名）" if survey.anonymous else people.get(r.staff_id, "")
        yield _head(r, who, names) + [
            _value(q, answers[saved_id(r)].get(saved_id(q), [])) for q in questions
        ]


def _head(response: SurveyResponse, who: str, names: dict) -> list:
    return [
        response.id,
        response.submitted_at.strftime("%Y-%m-%d %H:%M"),
        CHANNELS.get(response.channel, response.channel),
        who,
        names.get(response.department_id, ""),
        names.get(response.evaluated_department_id, ""),
        rules.rounded(response.score),
    ]


def export_xlsx(session: Session, results: SurveyResults) -> bytes:
    """Return the workbook: 答卷 (a row per response) and 汇总 (scores, rates, distributions)."""
    questions = [r.question for r in results.questions]
    columns = HEAD_COLUMNS + [Column(f"{q.seq}. {q.text}", 20) for q in questions]
    book = Book()
    book.table("答卷", columns, response_rows(session, results), total_label=None)
    book.sheet("汇总", summary_rows(results))
    return book.getvalue()


def summary_rows(results: SurveyResults) -> Iterator[list]:
    """Yield the 汇总 sheet: the survey, then scores, response rates and distributions."""
    survey = results.survey
    yield ["问卷", survey.title]
    yield ["类型", SURVEY_KIND_LABELS.get(survey.kind, survey.kind)]
    yield ["答卷数", results.responses]
    yield []
    yield ["被评价部门", "得分", "答卷数"]
    yield from ([s.department, s.score, s.responses] for s in results.scores)
    yield []
    yield ["填写部门", "应答人数", "已答人数", "答复率(%)"]
    yield from ([r.department, r.invited, r.responded, r.rate] for r in results.rates)
    yield []
    yield ["题目", "选项/分值", "人数"]
    yield from _distribution_rows(results)


def _distribution_rows(results: SurveyResults) -> Iterator[list]:
    for result in results.questions:
        title = f"{result.question.seq}. {result.question.text}"
        for label, count in result.counts:
            yield [title, label, count]
        if result.mean is not None:
            yield [title, "平均", result.mean]
