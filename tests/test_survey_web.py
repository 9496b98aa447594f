"""The public survey form (/s/<token>) and the console pages, through Flask's test client."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, func, select

from backend.models import OutboxMessage, Survey, SurveyAnswer, SurveyResponse
from backend.org import accounts
from backend.surveys import audience as audiences
from backend.surveys import queries as survey_queries
from backend.surveys import service as surveys
from backend.surveys.excel import template_xlsx
from scheduled.work.runner import run_due_jobs
from tests.support.console import console_app, csrf_token, login_client
from tests.support.org import add_small_county
from tests.support.surveys import (
    NOW,
    add_link_survey,
    add_mutual_evaluation,
    add_self_evaluation,
    department,
    staff_named,
)

PASSWORD = "survey-pass-2026"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web(engine):
    with Session(engine) as session:
        add_small_county(session)
        market = department(session, "县市场监督管理局")
        accounts.create_account(session, username="admin", password=PASSWORD, role="admin")
        accounts.create_account(session, username="head", password=PASSWORD, role="head",
                                department_id=market.id)  # fmt: skip
        session.commit()
    app = console_app(engine)
    app.extensions["lvzhi"].clock = lambda: NOW
    return app


def make(engine, builder=add_mutual_evaluation) -> Survey:
    with Session(engine, expire_on_commit=False) as session:
        survey = builder(session)
        session.commit()
        return survey


def link_self_evaluation(session: Session) -> Survey:
    return add_link_survey(session, add_self_evaluation)


def stored(engine, table) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def fieldset(html: str, seq: int) -> str:
    return html.split(f'id="q-{seq}"', 1)[1].split("</fieldset>", 1)[0]


def post_form(client, token: str, data: dict):
    page = client.get(f"/s/{token}").get_data(as_text=True)
    return client.post(f"/s/{token}", data={**data, "csrf_token": TOKEN.search(page).group(1)})


def test_the_public_form_checks_answers_then_takes_one_response_per_device(web, engine):
    survey = make(engine, link_self_evaluation)
    client = web.test_client()
    page = client.get(f"/s/{survey.token}")
    assert page.status_code == 200 and "25. 最需要改进的一件事" in page.get_data(as_text=True)
    bad = post_form(client, survey.token, {"q1": "9", "q19": "120", "q11": "3"}).get_data(
        as_text=True
    )
    assert "没有第9个选项" in fieldset(bad, 1) and "0–100" in fieldset(bad, 19)
    assert "必答" in fieldset(bad, 2) and "field-error" not in fieldset(bad, 11)
    assert "field-error" not in fieldset(bad, 24)  # optional
    assert 'value="3" checked' in fieldset(bad, 11)  # what was typed is kept
    assert stored(engine, SurveyResponse) == 0
    good = {f"q{n}": "1" for n in range(1, 11)} | {f"q{n}": "5" for n in range(11, 16)}
    good |= {f"q{n}": "10" for n in range(16, 19)} | {f"q{n}": "100" for n in range(19, 22)}
    good |= {"q22": ["1", "2", "3"], "q23": "1", "q25": "多开展培训"}
    done = post_form(client, survey.token, good)
    assert done.status_code == 200 and "提交成功" in done.get_data(as_text=True)
    csrf = TOKEN.search(page.get_data(as_text=True)).group(1)
    again = client.post(f"/s/{survey.token}", data={**good, "csrf_token": csrf})
    assert again.status_code == 409 and "已经填写过" in again.get_data(as_text=True)
    assert client.get(f"/s/{survey.token}").status_code == 409
    with Session(engine) as session:
        [response] = session.exec(select(SurveyResponse)).all()
    assert response.channel == "link" and response.respondent_key.startswith("device:")
    assert response.score == 97.5  # everything full marks but q23: 50 of 100 at weight 5


def test_unknown_closed_and_stale_forms(web, engine):
    survey = make(engine, add_link_survey)
    client = web.test_client()
    assert "没有找到" in client.get("/s/nosuchtk").get_data(as_text=True)
    assert client.get("/s/nosuchtk").status_code == 404
    no_token = client.post(f"/s/{survey.token}", data={"q1": "1"})
    assert no_token.status_code == 400 and "页面已过期" in no_token.get_data(as_text=True)
    several = post_form(client, survey.token, {"q1": "1", "q2": "5"})
    assert several.status_code == 400 and "请选择被评价的部门" in several.get_data(as_text=True)
    web.extensions["lvzhi"].clock = lambda: NOW + timedelta(days=4)
    closed = client.get(f"/s/{survey.token}")
    assert closed.status_code == 410 and "截止" in closed.get_data(as_text=True)
    assert client.post(f"/s/{survey.token}", data={}).status_code in (400, 410)
    assert stored(engine, SurveyResponse) == 0 and stored(engine, SurveyAnswer) == 0


def test_qr_codes(web, engine):
    survey = make(engine)
    client = web.test_client()
    assert client.get(f"/s/{survey.token}/qr.png").data.startswith(b"\x89PNG")
    svg = client.get(f"/s/{survey.token}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get(f"/s/{survey.token}/qr.gif").status_code == 404


def upload(client, token: str, path: str, data: bytes):
    files = {"file": (io.BytesIO(data), "问卷.xlsx"), "csrf_token": token}
    return client.post(path, data=files, content_type="multipart/form-data")


def finished_job(client, engine, response) -> dict:
    """Follow the redirect to the job page after running the queued jobs (the job runner)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    run_due_jobs(engine, settings=client.application.extensions["lvzhi"].settings)
    url = response.headers["Location"]
    return {**client.get(url + ".json").get_json(), "url": url}


def test_console_import_publish_results_and_export(web, engine):
    client = web.test_client()
    token = login_client(client, "admin", PASSWORD)
    template = client.get("/console/surveys/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    broken = upload(client, token, "/console/surveys/import", b"not a workbook")
    assert broken.status_code == 400 and "无法读取" in broken.get_data(as_text=True)
    book = load_workbook(io.BytesIO(template.data))
    book["题目"]["C3"] = "判断"
    buffer = io.BytesIO()
    book.save(buffer)
    bad = finished_job(client, engine, upload(client, token, "/console/surveys/import",
                                              buffer.getvalue()))  # fmt: skip
    assert bad["status"] == "failed" and stored(engine, Survey) == 0
    assert "第3行C列（题型）" in client.get(bad["url"]).get_data(as_text=True)
    created = finished_job(client, engine, upload(client, token, "/console/surveys/import",
                                                  template.data))  # fmt: skip
    detail_path = created["message"]["link"]
    assert "2026年度部门履职自评" in client.get(detail_path).get_data(as_text=True)
    survey_id = int(detail_path.rstrip("/").rsplit("/", 1)[1])
    token = csrf_token(client, detail_path)
    assert client.post(f"{detail_path}/publish", data={"csrf_token": token}).status_code == 302
    invite = _one_outbox(engine)
    assert "问卷邀请" in invite.payload and f"问卷 {survey_id}" in invite.payload
    results = client.get(f"{detail_path}/results").get_data(as_text=True)
    assert "各部门答复率" in results and "县市场监督管理局" in results
    export = client.get(f"{detail_path}/export.xlsx")
    assert load_workbook(io.BytesIO(export.data)).sheetnames == ["答卷", "汇总"]
    chart = client.get(f"{detail_path}/scores.png")
    assert chart.data.startswith(b"\x89PNG")


def _one_outbox(engine) -> OutboxMessage:
    with Session(engine) as session:
        return session.exec(select(OutboxMessage)).one()


def test_console_settings_and_roles(web, engine):
    survey = make(engine, add_self_evaluation)
    client = web.test_client()
    token = login_client(client, "head", PASSWORD)
    path = f"/console/surveys/{survey.id}"
    assert client.get(path).status_code == 200
    assert client.post(f"{path}/close", data={"csrf_token": token}).status_code == 403
    admin = web.test_client()
    token = login_client(admin, "admin", PASSWORD)
    form = {"csrf_token": token, "title": "改过的标题", "introduction": "",
            "opens_at": "2026-11-22T09:00", "closes_at": "2026-11-21T09:00"}  # fmt: skip
    wrong = admin.post(f"{path}/settings", data=form)
    assert wrong.status_code == 400 and "截止时间应晚于开始时间" in wrong.get_data(as_text=True)
    ok = admin.post(f"{path}/settings", data={**form, "closes_at": "2026-12-01T18:00"})
    assert ok.status_code == 302
    replace = finished_job(admin, engine, upload(admin, token, f"{path}/questions",
                                                 template_xlsx()))  # fmt: skip
    assert replace["status"] == "done" and "题目已更新" in replace["message"]["text"]
    with Session(engine) as session:
        assert session.get(Survey, survey.id).title == "2026年度部门履职自评"


def test_the_public_form_is_rate_limited_per_address(web, engine):
    survey = make(engine, add_link_survey)
    client = web.test_client()
    # The limiter counts per address in process memory: one address per database run.
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{len(engine.dialect.name)}"
    page = client.get(f"/s/{survey.token}").get_data(as_text=True)
    form = {"csrf_token": TOKEN.search(page).group(1), "q1": "9"}
    statuses = [client.post(f"/s/{survey.token}", data=form).status_code for _ in range(30)]
    assert statuses == [400] * 30  # each one checked and refused, but counted
    refused = client.post(f"/s/{survey.token}", data=form)
    assert refused.status_code == 429 and "提交太频繁" in refused.get_data(as_text=True)
    assert stored(engine, SurveyResponse) == 0


def test_console_results_show_scores_rates_charts_and_free_texts(web, engine):
    survey = make(engine)
    with Session(engine) as session:
        erin, market = staff_named(session, "erin"), department(session, "县市场监督管理局")
        questions = survey_queries.questions_of(session, survey_id=survey.id)
        values = dict(zip([q.id for q in questions], [1, 5, 98.5, "<b>配合</b>很好"], strict=True))
        surveys.submit_response(session, survey=survey, values=values, channel="chat",
                                respondent_key=audiences.respondent_key(survey, erin), now=NOW,
                                staff=erin, evaluated_department_id=market.id)  # fmt: skip
        session.commit()
        question_id = questions[0].id
    client = web.test_client()
    login_client(client, "head", PASSWORD)
    page = client.get(f"/console/surveys/{survey.id}/results").get_data(as_text=True)
    assert "99.70" in page and "县市场监督管理局得分（1份）" in page
    assert "&lt;b&gt;配合&lt;/b&gt;很好" in page  # free text shown, escaped
    assert '<td>县民政局</td><td class="num">1</td>' in page and "100.00%" in page  # erin
    chart = client.get(f"/console/surveys/{survey.id}/chart/{question_id}.png")
    assert chart.status_code == 200 and chart.data.startswith(b"\x89PNG")
    assert client.get(f"/console/surveys/{survey.id}/chart/9999.png").status_code == 404


SELF_ANSWERS = (
    {f"q{n}": "1" for n in range(1, 11)}
    | {f"q{n}": "5" for n in range(11, 16)}
    | {f"q{n}": "10" for n in range(16, 19)}
    | {f"q{n}": "100" for n in range(19, 22)}
    | {"q22": ["1", "2"], "q23": "1", "q25": "匿名提交"}
)


def test_a_staff_survey_takes_no_anonymous_answers_through_its_link(web, engine):
    staff_survey, link_survey = make(engine, add_self_evaluation), make(engine, add_link_survey)
    client = web.test_client()
    page = client.get(f"/s/{staff_survey.token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and f"问卷 {staff_survey.id}" in text and "企业微信" in text
    assert 'name="q1"' not in text  # no form to fill in
    csrf = TOKEN.search(client.get(f"/s/{link_survey.token}").get_data(as_text=True)).group(1)
    for _ in range(5):  # the review's five anonymous answers to a self-evaluation
        refused = client.post(f"/s/{staff_survey.token}", data={**SELF_ANSWERS, "csrf_token": csrf})
        assert refused.status_code == 403 and "仅限受邀的工作人员" in refused.get_data(as_text=True)
    assert stored(engine, SurveyResponse) == 0 and stored(engine, SurveyAnswer) == 0


def test_the_service_refuses_anonymous_and_uninvited_answers_to_staff_surveys(engine):
    with Session(engine) as session:
        add_small_county(session)
        survey = add_self_evaluation(session)  # 县市场监督管理局's staff only
        values = {q.id: 1 for q in survey_queries.questions_of(session, survey_id=survey.id)}
        with pytest.raises(surveys.StaffOnly):
            surveys.submit_response(session, survey=survey, values=values, channel="link",
                                    respondent_key="device:" + "0" * 32, now=NOW)  # fmt: skip
        erin = staff_named(session, "erin")  # 县民政局: not invited
        with pytest.raises(surveys.SurveyUnavailable, match="不需要您填写"):
            surveys.submit_response(session, survey=survey, values=values, channel="chat",
                                    respondent_key=audiences.respondent_key(survey, erin),
                                    now=NOW, staff=erin)  # fmt: skip
        assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 0
