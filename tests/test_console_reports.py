"""The console's report downloads: files on demand, within each account's departments."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import parse_qsl

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from backend.models import Department
from tests.support.console import add_account, login_client
from tests.support.excel import add_sample_entries

PASSWORD = "console-pass-1"


@pytest.fixture
def county(stack):
    with Session(stack.engine) as session:
        ids = {d.name: d.id for d in session.exec(select(Department))}
        add_sample_entries(session)
    add_account(stack.engine, "admin", PASSWORD, "admin")
    add_account(stack.engine, "civilhead", PASSWORD, "head", ids["县民政局"])
    return ids


def signed_in(stack, username: str):
    client = stack.app.test_client()
    client.csrf = login_client(client, username, PASSWORD)
    client.stack = stack
    return client


def fetch(client, query: str):
    """Ask for a report as the page's form does; when queued, run the job and download it."""
    form = {"csrf_token": client.csrf, **dict(parse_qsl(query))}
    response = client.post("/console/reports/download", data=form)
    if response.status_code != 302:
        return response
    client.stack.run_jobs()
    return client.get(response.headers["Location"] + "/download")


def test_an_administrator_downloads_a_department_report_and_its_data(stack, county):
    client = signed_in(stack, "admin")
    market = county["县市场监督管理局"]
    page = client.get("/console/reports").get_data(as_text=True)
    assert "部门履职评估分析报告" in page and "全县月度排名" in page
    pdf = fetch(client, f"kind=monthly_pdf&department={market}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    xlsx = fetch(client, f"kind=monthly_xlsx&department={market}&period=2026-10")
    assert xlsx.status_code == 200
    assert load_workbook(BytesIO(xlsx.data)).sheetnames


def test_an_administrator_downloads_the_county_ranking(stack, county):
    client = signed_in(stack, "admin")
    response = fetch(client, "kind=county_xlsx&period=2026-10")
    assert response.status_code == 200
    assert load_workbook(BytesIO(response.data)).sheetnames


def test_a_head_gets_only_their_own_department(stack, county):
    client = signed_in(stack, "civilhead")
    page = client.get("/console/reports").get_data(as_text=True)
    assert "县民政局" in page and "县市场监督管理局" not in page and "全县月度排名" not in page
    own = fetch(client, f"kind=weekly_image&department={county['县民政局']}")
    assert own.status_code == 200 and own.data.startswith(b"\x89PNG")
    other = county["县市场监督管理局"]
    assert fetch(client, f"kind=monthly_pdf&department={other}").status_code == 404
    assert fetch(client, "kind=county_pdf").status_code == 403


def test_bad_choices_are_answered_with_a_message(stack, county):
    client = signed_in(stack, "admin")
    market = county["县市场监督管理局"]
    bad_period = fetch(client, f"kind=monthly_pdf&department={market}&period=2026-13")
    assert bad_period.status_code == 400 and "2026-10" in bad_period.get_data(as_text=True)
    assert fetch(client, "kind=nonsense").status_code == 400
    assert fetch(client, "kind=monthly_pdf").status_code == 400
    assert fetch(client, "kind=monthly_pdf&department=999999").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(stack, county):
    response = stack.app.test_client().post("/console/reports/download", data={"kind": "x"})
    assert response.status_code in (302, 400, 401)
