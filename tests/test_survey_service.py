"""Survey services on both databases: scores by hand, one response each, audiences, reminders."""

from __future__ import annotations

import io
import json
import warnings
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, func, select

from backend.models import OutboxMessage, Staff, SurveyAnswer, SurveyResponse
from backend.models.surveys import AudienceKind, QuestionKind
from backend.schedule.job_runs import run_exists
from backend.supervision.qr_images import qr_png, qr_svg
from backend.surveys import audience as audiences
from backend.surveys import export
from backend.surveys import links as qr
from backend.surveys import queries as survey_queries
from backend.surveys import questions as rules
from backend.surveys import result_charts as charts
from backend.surveys import service as surveys
from backend.surveys.results import survey_results
from backend.surveys.spec import Audience
from scheduled.surveys import remind_survey_non_respondents
from tests.support.org import add_small_county
from tests.support.surveys import NOW, add_mutual_evaluation, add_self_evaluation, department


@pytest.fixture
def county(session: Session):
    people = add_small_county(session)["staff"]
    session.commit()
    return people


def staff(session: Session, userid: str) -> Staff:
    return session.exec(select(Staff).where(Staff.wecom_userid == userid)).one()


def answer(session, survey, who: str, values: list, *, target: str | None = None, **extra):
    member = staff(session, who)
    questions = survey_queries.questions_of(session, survey_id=survey.id)
    evaluated = department(session, target).id if target else None
    return surveys.submit_response(
        session, survey=survey, values=dict(zip([q.id for q in questions], values, strict=True)),
        respondent_key=audiences.respondent_key(survey, member), channel="chat",
        now=extra.get("now", NOW), staff=member, evaluated_department_id=evaluated,
    )  # fmt: skip


def count(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_scores_computed_by_hand(session, county):
    survey = add_mutual_evaluation(session)
    # weights 50 (single: 100/60/0), 30 (rating 1–5), 20 (score, optional), 0 (text)
    a = answer(session, survey, "erin", [1, 5, 98.5, "配合很好"], target="县市场监督管理局")
    b = answer(session, survey, "frank", [2, 4, 90, None], target="县民政局")
    c = answer(session, survey, "bob", [1, 3, None, None], target="县民政局")
    # a: (50×100 + 30×100 + 20×98.5) / 100 = 99.7
    # b: (50×60 + 30×75 + 20×90) / 100 = 70.5
    # c: (50×100 + 30×50) / 80 = 81.25 (the blank optional score drops out of both sums)
    assert (a.score, b.score, c.score) == (99.7, 70.5, 81.25)
    market, civil = department(session, "县市场监督管理局"), department(session, "县民政局")
    month = {"start": NOW - timedelta(days=23), "end": NOW + timedelta(days=8)}
    [market_score] = survey_queries.department_scores(session, department_id=market.id, **month)
    [civil_score] = survey_queries.department_scores(session, department_id=civil.id, **month)
    assert (market_score.score, market_score.responses) == (99.7, 1)
    assert (civil_score.score, civil_score.responses) == (75.88, 2)  # (70.5 + 81.25) / 2 = 75.875
    later = {"start": NOW + timedelta(days=30), "end": NOW + timedelta(days=60)}
    assert survey_queries.department_scores(session, department_id=market.id, **later) == []


def test_points_of_every_kind_and_default_option_scores():
    assert rules.default_scores(4) == [100.0, 66.67, 33.33, 0.0]
    assert rules.rounded(79.325) == 79.33 and rules.rounded(85.94166) == 85.94


def test_one_response_per_respondent_and_nothing_stored_twice(session, county):
    survey = add_mutual_evaluation(session)
    answer(session, survey, "erin", [1, 5, 98.5, None], target="县市场监督管理局")
    with pytest.raises(surveys.AlreadyAnswered, match="已经提交过"):
        answer(session, survey, "erin", [3, 1, 0, None], target="县市场监督管理局")
    assert count(session, SurveyResponse) == 1 and count(session, SurveyAnswer) == 3


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([4, 5, 90, None], "没有第4个选项"),
        ([0, 5, 90, None], "没有第0个选项"),
        ([1, 6, 90, None], "1–5"),
        ([1, 5, 100.5, None], "0–100"),
        ([1, 5, -1, None], "0–100"),
        ([None, 5, 90, None], "必答"),
        ([1, 5, 90, "字" * 1001], "太长"),
    ],
)
def test_answers_out_of_range_are_refused_and_nothing_is_stored(session, county, values, message):
    survey = add_mutual_evaluation(session)
    with pytest.raises(rules.AnswerError, match=message):
        answer(session, survey, "erin", values, target="县市场监督管理局")
    assert count(session, SurveyResponse) == 0 and count(session, SurveyAnswer) == 0


def test_closed_draft_and_future_surveys_refuse(session, county):
    survey = add_mutual_evaluation(session)
    for moment, word in [(NOW + timedelta(days=3), "截止"), (NOW - timedelta(days=2), "开始")]:
        with pytest.raises(surveys.SurveyUnavailable, match=word):
            answer(session, survey, "erin", [1, 5, 90, None], target="县市场监督管理局", now=moment)
    surveys.close_survey(session, survey=survey)
    with pytest.raises(surveys.SurveyUnavailable, match="截止"):
        answer(session, survey, "erin", [1, 5, 90, None], target="县市场监督管理局")
    draft = add_self_evaluation(session, publish=False)
    assert "尚未发布" in surveys.problem(draft, now=NOW)
    assert "没有找到" in surveys.problem(None, now=NOW)
    assert count(session, SurveyResponse) == 0


def test_audiences(session, county):
    survey = add_self_evaluation(session)
    names = lambda: {s.wecom_userid for s in audiences.audience_staff(session, survey=survey)}  # noqa: E731
    assert names() == {"alice", "bob", "carol", "dave"}
    market = department(session, "县市场监督管理局")
    survey.audience = json.dumps({"department_ids": [market.id], "exclude_leaders": True})
    assert names() == {"alice", "bob", "carol"}
    survey.audience_kind = AudienceKind.FILTER
    survey.audience = json.dumps(Audience(staffing_types=("institution",)).as_json())
    assert names() == {"frank"}
    survey.audience_kind = AudienceKind.RELATED
    survey.audience = "{}"
    assert names() == {"erin"}  # every department but the evaluated one and its institution
    survey.audience_kind = AudienceKind.LINK
    assert names() == set()


def test_publish_invites_in_one_batch_and_reminders_go_once_to_non_respondents(session, county):
    survey = add_self_evaluation(session)
    [invite] = session.exec(select(OutboxMessage)).all()
    assert set(json.loads(invite.target)["users"]) == {"alice", "bob", "carol", "dave"}
    answer(session, survey, "alice", _full_answers(session, survey))
    due, survey_id = survey.closes_at - timedelta(hours=3), survey.id
    session.commit()  # the job runs in its own transaction
    engine = session.get_bind()
    early = NOW + timedelta(days=5)
    assert remind_survey_non_respondents(engine, now=early) == 0  # closes in 2 days: not yet
    assert remind_survey_non_respondents(engine, now=due) == 3
    assert remind_survey_non_respondents(engine, now=due + timedelta(hours=1)) == 0
    session.expire_all()
    reminder = session.exec(select(OutboxMessage).where(OutboxMessage.id != invite.id)).one()
    assert set(json.loads(reminder.target)["users"]) == {"bob", "carol", "dave"}
    assert "问卷提醒" in reminder.payload
    assert run_exists(session, key=f"survey-reminders:{survey_id}")


def _full_answers(session, survey) -> list:
    values = []
    for q in survey_queries.questions_of(session, survey_id=survey.id):
        values.append({QuestionKind.SINGLE: 1, QuestionKind.MULTIPLE: [1, 3],
                       QuestionKind.RATING5: 4, QuestionKind.RATING10: 9, QuestionKind.SCORE: 88,
                       QuestionKind.TEXT: "=HYPERLINK(\"http://x\")"}[q.kind])  # fmt: skip
    return values


def test_results_charts_and_a_formula_safe_export(session, county):
    survey = add_self_evaluation(session)
    for who in ("alice", "bob"):
        answer(session, survey, who, _full_answers(session, survey))
    results = survey_results(session, survey=survey)
    assert results.responses == 2
    [rate] = results.rates
    assert (rate.department, rate.invited, rate.responded, rate.rate) == (
        "县市场监督管理局",
        4,
        2,
        50.0,
    )
    first, multiple = results.questions[0], results.questions[21]
    assert first.counts[0] == ("很好", 2) and multiple.counts[:3] == [
        ("政策指导", 2),
        ("业务协同", 0),
        ("信息共享", 2),
    ]
    assert results.questions[15].counts[8] == ("9", 2) and results.questions[15].mean == 9
    assert results.questions[23].texts == ['=HYPERLINK("http://x")'] * 2
    # by hand: 40×100 + 20×75 + 15×(8/9×100) + 15×88 + 10×70 = 8853.33… / 100
    assert results.scores[0].score == 88.53
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing CJK glyph would warn
        png = charts.distribution_png(first.question.text, first.counts)
        scores = charts.scores_png([(s.department, s.score) for s in results.scores])
    assert png.startswith(b"\x89PNG") and scores.startswith(b"\x89PNG")
    book = load_workbook(io.BytesIO(export.export_xlsx(session, results)))
    assert book.sheetnames == ["答卷", "汇总"]
    rows = list(book["答卷"].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][6] == 88.53 and rows[1][7] == "很好"
    text_cell = book["答卷"].cell(row=2, column=7 + 24)
    assert text_cell.data_type == "s" and text_cell.value.startswith("=HYPERLINK")
    assert ("县市场监督管理局", 88.53, 2, None) in list(book["汇总"].iter_rows(values_only=True))


def test_qr_codes_point_at_the_short_link():
    link = qr.survey_link("https://lvzhi.example.cn/", "AbC123xy")
    assert link == "https://lvzhi.example.cn/s/AbC123xy"
    assert qr_png(link).startswith(b"\x89PNG") and b"<svg" in qr_svg(link)


def test_anonymous_responses_keep_no_name_but_still_count_once(session, county):
    survey = add_mutual_evaluation(session, anonymous=True)
    response = answer(session, survey, "erin", [1, 5, 90, None], target="县市场监督管理局")
    assert response.staff_id is None and response.respondent_key.startswith("anon:")
    assert response.department_id == department(session, "县民政局").id  # for response rates
    with pytest.raises(surveys.AlreadyAnswered):
        answer(session, survey, "erin", [1, 5, 90, None], target="县市场监督管理局")
    erin = staff(session, "erin")
    assert surveys.pending_choices(session, survey=survey, staff=erin) == []
    assert "erin" not in {s.wecom_userid for s in audiences.non_respondents(session, survey=survey)}


def test_invitations_go_in_batches_of_a_thousand(session, county):
    from tests.support.org import add_many_staff

    add_many_staff(session, 1000)
    add_self_evaluation(session)
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    sizes = [len(json.loads(row.target)["users"]) for row in rows]
    assert sizes == [1000, 4]
