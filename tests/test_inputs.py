"""Every input the web layer reads is validated to a 4xx with a Chinese message, never a 500.

One test per crash the review found: Unicode digits, integers past 64 bits in paths, queries and
forms, numbers past Python's 4,300-digit limit, dates at the ends of the calendar, CR/LF in
redirect targets, NaN/inf as scoring weights.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from backend.common.values import MAX_ID, parse_day, parse_float, parse_int
from backend.models import Department
from backend.reports.analytics.config import load_scoring
from backend.web.inputs import safe_target
from tests.support.console import add_account, console_app, login_client
from tests.support.excel import add_sample_entries
from tests.support.org import add_small_county

HUGE = str(2**64)
PASSWORD = "inputs-pass-2026"


@pytest.fixture
def county(engine):
    with Session(engine) as session:
        add_small_county(session)
        session.commit()
        entries = add_sample_entries(session)
    add_account(engine, "inputs-admin", PASSWORD, "admin")
    return entries


@pytest.fixture
def admin(engine, county):
    client = console_app(engine).test_client()
    token = login_client(client, "inputs-admin", PASSWORD)
    return client, token


def _market(engine) -> int:
    with Session(engine) as session:
        return session.exec(
            select(Department.id).where(Department.name == "县市场监督管理局")
        ).one()


@pytest.mark.parametrize("raw", ["²³", "١٢", "𝟙", "9" * 5000, str(2**63), "-1", "1.0", "", " "])
def test_parse_int_refuses_what_int_would_choke_on(raw):
    assert parse_int(raw) is None


def test_parse_int_reads_ascii_and_full_width_digits_within_range():
    assert parse_int(" 42 ") == 42
    assert parse_int("４２") == 42
    assert parse_int(str(MAX_ID)) == MAX_ID
    assert parse_int("7", 1, 5) is None


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e309", "Infinity", "1e3", "-1", "1001"])
def test_parse_float_refuses_non_finite_and_out_of_range(raw):
    assert parse_float(raw, 0, 1000) is None


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "2101-01-01", "1999-12-31",
                                 "2026-02-30", "١٢٣٤-01-01", "2026-1-1x"])  # fmt: skip
def test_parse_day_refuses_the_ends_of_the_calendar(raw):
    assert parse_day(raw) is None


def test_parse_day_reads_days_between_2000_and_2100():
    assert parse_day("2026-01-05") == date(2026, 1, 5)
    assert parse_day("2026-1-5") is None  # ISO only, as date inputs send it
    assert parse_day("2100-12-31") == date(2100, 12, 31)


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                    "/console/\r\nSet-Cookie: a=b", "/console/\tx", "/other",
                                    None, 5])  # fmt: skip
def test_safe_target_falls_back_for_other_sites_and_broken_headers(target):
    assert safe_target(target, "/console/", prefix="/console/") == "/console/"


def test_safe_target_keeps_a_same_site_path():
    assert (
        safe_target("/console/review?page=2", "/x", prefix="/console/") == "/console/review?page=2"
    )


def test_ids_past_64_bits_in_paths_are_a_404(admin):
    client, _ = admin
    for path in (
        f"/console/jobs/{HUGE}",
        f"/console/surveys/{HUGE}",
        f"/console/jobs/{'9' * 5000}",
    ):
        assert client.get(path).status_code == 404, path


def test_unicode_digits_and_huge_ids_in_queries_are_a_400_not_a_500(admin):
    client, _ = admin
    assert client.get("/console/entries?page=²³").status_code == 200
    for query in (f"department={HUGE}", "department=²", "end=9999-12-31", "start=0001-01-01"):
        response = client.get(f"/console/entries?{query}")
        assert response.status_code == 400, query
        assert "须为数字" in response.get_data(as_text=True) or "YYYY-MM-DD" in response.get_data(
            as_text=True
        )
    assert client.get(f"/console/supervision?department_id={HUGE}").status_code == 400
    assert client.get("/console/supervision?start=9999-12-31").status_code == 400


def test_nan_and_inf_are_refused_as_scoring_weights(admin, engine):
    client, token = admin
    for bad in ("nan", "inf", "1e309", "-1"):
        data = {"csrf_token": token, "weight_reporting_rate": bad, "yellow_from": "60",
                "green_from": "80"}  # fmt: skip
        response = client.post("/console/settings/scoring", data=data)
        assert response.status_code == 400, bad
        assert "权重须为非负数" in response.get_data(as_text=True)
    with Session(engine) as session:
        weights = load_scoring(session).weights.values()
    assert all(w == w and w != float("inf") for w in weights)


def test_report_periods_at_the_ends_of_the_calendar_are_a_400(admin, engine):
    client, token = admin
    for kind, period in (("weekly_image", "9999-W52"), ("monthly_pdf", "9999-12")):
        data = {"csrf_token": token, "kind": kind, "period": period,
                "department": str(_market(engine))}  # fmt: skip
        response = client.post("/console/reports/download", data=data)
        assert response.status_code in (400, 404), (kind, response.status_code)


def test_cr_lf_in_back_still_redirects_to_the_queue_after_the_approval(admin, county):
    client, token = admin
    data = {"csrf_token": token, "back": "/console/review\r\nSet-Cookie: a=b"}
    response = client.post(f"/console/review/{county['alice']}/approve", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/review"


def test_cr_lf_and_other_hosts_in_next_go_to_the_dashboard(admin):
    client, _ = admin
    for target in ("/console/\r\nSet-Cookie: a=b", "//evil.example/", "/\\evil.example"):
        response = client.get("/console/login", query_string={"next": target})
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/console/", target


def test_key_task_years_and_numbers_in_other_scripts_are_a_400(admin, engine):
    client, token = admin
    data = {"csrf_token": token, "title": "重点", "department_id": str(_market(engine))}
    for year, seqs in (("²⁰²⁶", "1"), ("2026", "¹"), ("9" * 5000, "1"), ("2026", "9" * 5000)):
        response = client.post("/console/catalogue/key-tasks", data={**data, "year": year,
                                                                    "duty_seqs": seqs})  # fmt: skip
        assert response.status_code == 400, (year[:8], seqs[:8])


def test_months_past_2100_cannot_be_closed(engine, county):
    from backend.models import Staff
    from backend.org import api_tokens as auth_tokens

    with Session(engine) as session:
        carol = session.exec(select(Staff).where(Staff.wecom_userid == "carol")).one()
        carol.role = "admin"
        session.add(carol)
        token = auth_tokens.create_token(session, staff_id=carol.id)
        session.commit()
    client = console_app(engine).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for month in ("9999-12", "١٢٣٤-01"):
        response = client.post(f"/api/v1/review/months/{month}/close", headers=headers)
        assert response.status_code == 400, month
        assert "月份格式应为" in response.get_json()["message"]
    huge = client.get(f"/api/v1/review/entries?department_id={HUGE}", headers=headers)
    assert huge.status_code in (400, 403)
    assert client.post(f"/api/v1/review/entries/{HUGE}/approve", headers=headers).status_code == 404


def test_ids_past_the_integer_columns_are_a_404_on_every_backend(admin):
    client, _ = admin
    assert client.get(f"/console/jobs/{2**31}").status_code == 404
    assert client.get(f"/console/entries?department={2**31}").status_code == 400


def test_nul_characters_anywhere_in_a_request_are_a_400(admin):
    client, token = admin
    assert client.get("/q/%00").status_code == 400
    assert client.get("/console/entries?q=a%00b").status_code == 400
    response = client.post("/console/org/sections", data={"csrf_token": token, "name": "a\x00"})
    assert response.status_code == 400
    assert "控制字符" in response.get_data(as_text=True)
