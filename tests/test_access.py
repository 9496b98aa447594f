"""Access: every console page and API route refuses an anonymous user; heads stay in their lane.

Routes are read from the app's url_map, so a route added later is covered without editing this
file; only the public routes below may answer an anonymous visitor.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from werkzeug.routing import Rule

from backend.models import Department, DutyEntry, Staff
from backend.org import api_tokens as auth_tokens
from backend.surveys import queries as survey_queries
from tests.support.console import add_account, console_app, csrf_token, login_client
from tests.support.excel import add_sample_entries
from tests.support.org import add_small_county
from tests.support.surveys import add_self_evaluation

PUBLIC_RULES = {
    "/",
    "/api/v1/health",
    "/livez",  # probes for service managers and monitors: reveal no data
    "/readyz",
    "/metrics",  # no login: only LVZHI_METRICS_ALLOW networks (tests/test_metrics.py)
    "/wecom/callback",
    "/console/login",
    "/console/login/wecom",
    "/console/login/wecom/return",
    "/fonts/cjk.otf",
    "/static/<path:filename>",
}
PUBLIC_PREFIXES = ("/q/", "/s/")  # the QR supervision and survey pages citizens open


def _is_public(rule: Rule) -> bool:
    return rule.rule in PUBLIC_RULES or rule.rule.startswith(PUBLIC_PREFIXES)


def _sample_url(rule: Rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__.lower()
        values[name] = "1" if "integer" in converter else "x"
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def app(engine):
    with Session(engine) as session:
        add_small_county(session)
        session.commit()
        add_sample_entries(session)
    return console_app(engine)


def _protected(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if _is_public(rule):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, _sample_url(rule)))
    return found


def test_the_route_list_covers_the_console_and_the_api(app):
    paths = {path for _, path in _protected(app)}
    assert {"/console/", "/console/entries", "/console/exports"} <= paths
    assert any(path.startswith("/api/v1/review/") for path in paths)
    assert not any(path.startswith(("/wecom", "/q/", "/s/")) for path in paths)


def test_every_protected_route_refuses_an_anonymous_user(app):
    client = app.test_client()
    let_through = []
    for method, path in _protected(app):
        token = csrf_token(client)  # so a refusal is about signing in, not a missing CSRF token
        response = client.open(path, method=method, data={"csrf_token": token})
        refused = response.status_code in (401, 403) or (
            response.status_code == 302 and "/console/login" in response.headers["Location"]
        )
        if not refused:
            let_through.append((method, path, response.status_code))
    assert let_through == []


def test_console_gets_redirect_to_the_login_page_and_posts_get_401(app):
    client = app.test_client()
    page = client.get("/console/entries?department=2")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/console/login?next=/console/entries")
    token = csrf_token(client)
    assert client.post("/console/exports", data={"csrf_token": token}).status_code == 401


def test_a_signed_in_head_cannot_open_admin_pages(app, engine):
    with Session(engine) as session:
        civil = session.exec(select(Department).where(Department.name == "县民政局")).one().id
    add_account(engine, "civilhead", "console-pass-1", "head", civil)
    client = app.test_client()
    login_client(client, "civilhead", "console-pass-1")
    for path in ("/console/accounts", "/console/settings", "/console/templates/roster.xlsx"):
        assert client.get(path).status_code == 403, path


def test_a_head_with_an_api_token_cannot_read_another_department(app, engine):
    with Session(engine) as session:
        dave = session.exec(select(Staff).where(Staff.wecom_userid == "dave")).one()
        civil = session.exec(select(Department).where(Department.name == "县民政局")).one().id
        token = auth_tokens.create_token(session, staff_id=dave.id)
        session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    own = client.get("/api/v1/review/entries", headers=headers).get_json()
    assert {e["department_name"] for e in own["entries"]} == {"县市场监督管理局"}
    other = client.get(f"/api/v1/review/entries?department_id={civil}", headers=headers)
    assert other.status_code == 403
    with Session(engine) as session:
        civil_entry = session.exec(select(DutyEntry).where(DutyEntry.department_id == civil)).one()
    refused = client.post(f"/api/v1/review/entries/{civil_entry.id}/approve", headers=headers)
    assert refused.status_code == 403


def _survey_urls(app, survey_id: int, question_id: int) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if "survey_id" not in rule.arguments:
            continue
        values = {name: "x" for name in rule.arguments}
        values |= {"survey_id": survey_id, "question_id": question_id}
        path = rule.build(values, append_unknown=False)[1]
        found += [(m, path) for m in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return found


def test_a_head_cannot_open_a_survey_about_another_department(app, engine):
    with Session(engine, expire_on_commit=False) as session:
        survey = add_self_evaluation(session)  # evaluates and asks 县市场监督管理局 only
        session.commit()
        question_id = survey_queries.questions_of(session, survey_id=survey.id)[0].id
        civil = session.exec(select(Department).where(Department.name == "县民政局")).one().id
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
    add_account(engine, "civilhead", "console-pass-1", "head", civil)
    add_account(engine, "markethead", "console-pass-1", "head", market.id)
    client = app.test_client()
    token = login_client(client, "civilhead", "console-pass-1")
    urls = _survey_urls(app, survey.id, question_id)
    assert f"/console/surveys/{survey.id}/export.xlsx" in {path for _, path in urls}
    let_through = []
    for method, path in urls:
        response = client.open(path, method=method, data={"csrf_token": token})
        if response.status_code not in (403, 404):
            let_through.append((method, path, response.status_code))
    assert let_through == []
    assert survey.title not in client.get("/console/surveys/").get_data(as_text=True)
    own = app.test_client()
    login_client(own, "markethead", "console-pass-1")
    assert survey.title in own.get("/console/surveys/").get_data(as_text=True)
    assert own.get(f"/console/surveys/{survey.id}/results").status_code == 200
    assert own.get(f"/console/surveys/{survey.id}/export.xlsx").status_code == 200
