"""Excel export of a survey: a row per response and a summary sheet (openpyxl write-only)."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator

from openpyxl import Workbook
from sqlmodel import Session, col, select

from backend.excel.writer import safe_cell
from backend.models import Department, Staff, SurveyAnswer, SurveyQuestion, SurveyResponse
from backend.models.surveys import SURVEY_KIND_LABELS, QuestionKind
from backend.surveys import questions as rules
from backend.surveys.results import SurveyResults

CHANNELS = {"chat": "企业微信", "link": "扫码/链接"}


def _cell(sheet, value):
    return safe_cell(sheet, value)  # clean user text, never a live formula


def _row(sheet, values) -> None:
    sheet.append([_cell(sheet, v) for v in values])


def _answers_by_response(session: Session, survey_id: int) -> dict[int, dict[int, list]]:
    query = (
        select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.option,
               SurveyAnswer.number, SurveyAnswer.text)
        .join(SurveyResponse, col(SurveyResponse.id) == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey_id)
        .order_by(col(SurveyAnswer.id))
    )  # fmt: skip
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
    answers = _answers_by_response(session, survey.id)
    query = select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
    for r in session.exec(query.order_by(col(SurveyResponse.id))).all():
        who = "（匿名）" if survey.anonymous else people.get(r.staff_id, "")
        head = [r.id, r.submitted_at.strftime("%Y-%m-%d %H:%M"), CHANNELS.get(r.channel, r.channel),
                who, names.get(r.department_id, ""), names.get(r.evaluated_department_id, ""),
                rules.rounded(r.score)]  # fmt: skip
        yield head + [_value(q, answers[r.id].get(q.id, [])) for q in questions]


def export_xlsx(session: Session, results: SurveyResults) -> bytes:
    """Return the workbook: 答卷 (a row per response) and 汇总 (scores, rates, distributions)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("答卷")
    questions = [r.question for r in results.questions]
    _row(sheet, ["编号", "提交时间", "渠道", "填写人", "所在部门", "被评价部门", "得分"]
         + [f"{q.seq}. {q.text}" for q in questions])  # fmt: skip
    for row in response_rows(session, results):
        _row(sheet, row)
    _summary(book.create_sheet("汇总"), results)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary(sheet, results: SurveyResults) -> None:
    survey = results.survey
    _row(sheet, ["问卷", survey.title])
    _row(sheet, ["类型", SURVEY_KIND_LABELS.get(survey.kind, survey.kind)])
    _row(sheet, ["答卷数", results.responses])
    _row(sheet, [])
    _row(sheet, ["被评价部门", "得分", "答卷数"])
    for score in results.scores:
        _row(sheet, [score.department, score.score, score.responses])
    _row(sheet, [])
    _row(sheet, ["填写部门", "应答人数", "已答人数", "答复率(%)"])
    for rate in results.rates:
        _row(sheet, [rate.department, rate.invited, rate.responded, rate.rate])
    _row(sheet, [])
    _row(sheet, ["题目", "选项/分值", "人数"])
    for result in results.questions:
        title = f"{result.question.seq}. {result.question.text}"
        for label, count in result.counts:
            _row(sheet, [title, label, count])
        if result.mean is not None:
            _row(sheet, [title, "平均", result.mean])
