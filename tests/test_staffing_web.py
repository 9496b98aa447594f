"""The staffing console pages through Flask's test client: quotas, scoping, bad input."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from backend.models.staffing import StaffingQuota
from tests.support.console import add_account, console_app, login_client
from tests.support.org import add_small_county, department_id
from tests.support.stack import wipe_database

PASSWORD = "correct-horse-9"


@pytest.fixture
def web(app_engine):
    wipe_database(app_engine)
    with Session(app_engine) as session:
        add_small_county(session)
        market, civil = (
            department_id(session, "县市场监督管理局"),
            department_id(session, "县民政局"),
        )
        session.commit()
    add_account(app_engine, "admin1", PASSWORD, "admin")
    add_account(app_engine, "head1", PASSWORD, "head", department_id=market)
    add_account(app_engine, "rev1", PASSWORD, "reviewer", department_id=market)
    return {"app": console_app(app_engine), "engine": app_engine, "market": market, "civil": civil}


def _client(web, username: str):
    client = web["app"].test_client()
    return client, login_client(client, username, PASSWORD)


def _quota(client, token, unit: int, **posts):
    data = {
        "effective_from": "2025-01-01",
        "administrative_posts": "0",
        "institution_posts": "0",
        "logistics_posts": "0",
        "leadership_posts": "0",
        "note": "",
        "csrf_token": token,
        **posts,
    }
    return client.post(f"/console/staffing/units/{unit}/quota", data=data)


def test_admin_adds_a_quota_and_sees_vacancies_and_over_quota(web):
    client, token = _client(web, "admin1")
    assert _quota(client, token, web["market"], administrative_posts="50").status_code == 302
    assert _quota(client, token, web["civil"]).status_code == 302
    html = client.get("/console/staffing/").get_data(as_text=True)
    assert "2025-01-01" in html and "超编" in html
    with Session(web["engine"]) as session:
        assert len(session.exec(select(StaffingQuota)).all()) == 2
    page = client.get(f"/console/staffing/units/{web['market']}").get_data(as_text=True)
    assert "人员结构" in page and "保存编制" in page


@pytest.mark.parametrize("value", ["-1", "abc", "10001"])
def test_a_bad_quota_gives_400_with_a_chinese_message(web, value):
    client, token = _client(web, "admin1")
    response = _quota(client, token, web["market"], administrative_posts=value)
    assert response.status_code == 400
    assert "行政编制须为0–10000之间的整数" in response.get_data(as_text=True)


def test_a_head_sees_only_their_units(web):
    client, token = _client(web, "head1")
    html = client.get("/console/staffing/").get_data(as_text=True)
    assert "县市场监督管理局" in html and "县民政局" not in html
    assert client.get(f"/console/staffing/units/{web['civil']}").status_code == 404
    assert client.get(f"/console/staffing/units/{web['market']}").status_code == 200
    assert client.get("/console/staffing/retirements").status_code == 403
    assert _quota(client, token, web["market"]).status_code == 403


def test_a_reviewer_is_refused(web):
    client, _token = _client(web, "rev1")
    assert client.get("/console/staffing/").status_code == 403
    assert client.get("/console/staffing/retirements").status_code == 403


def test_bad_period_dates_give_400(web):
    client, _token = _client(web, "admin1")
    response = client.get("/console/staffing/?start=2025-13-01")
    assert response.status_code == 400 and "日期格式" in response.get_data(as_text=True)
    assert client.get("/console/staffing/?start=2025-02-01&end=2025-01-01").status_code == 400
    assert client.get("/console/staffing/retirements").status_code == 200
