"""A property-based walk of every route for every role with hostile values: never a 500 or a trace.

Routes come from `app.url_map` and field names from the templates and views, so a route or field
added later is walked without editing this file. Values: huge and negative integers, Unicode
digits, NaN/inf, 5,000-digit numbers, calendar-edge dates, CR/LF and `//evil` redirect targets,
control characters and very long strings, beside plausible ones (so views run past their guards).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from werkzeug.routing import Rule

from backend.db import make_engine, writing
from backend.migrate import upgrade_database
from backend.models import Department, Staff, Survey
from backend.org import api_tokens as auth_tokens
from backend.reports.analytics.scoring import METRICS
from tests.support.console import add_account, console_app, csrf_token, login_client
from tests.support.excel import add_sample_entries
from tests.support.org import add_small_county
from tests.support.stack import wipe_database
from tests.support.supervision import add_codes
from tests.support.surveys import add_mutual_evaluation

ROOT = Path(__file__).resolve().parent.parent / "backend"
PASSWORD = "walk-pass-2026"
SKIPPED = {"console.logout", "static", "pages.cjk_font"}  # would end the walk; files on disk
ACCOUNT_ROUTES = {"console.account_active", "console.account_password"}  # hostile ids only
ROLES = ("anonymous", "admin", "head", "reviewer")
TRACE = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")

HOSTILE = [
    *(str(n) for n in (2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, -1)),
    "9" * 30, "9" * 5000, "1" * 4301, "-0", "+1", "1e309", "0x10", " 1 ", "1.5",
    "¹", "²³", "١٢", "𝟙", "①", "Ⅻ", "１２", "߁",
    "nan", "NaN", "inf", "-inf", "Infinity", "1e400",
    "0001-01-01", "9999-12-31", "10000-01-01", "0000-00-00", "2026-02-30", "2026-13-01",
    "9999-12", "0001-01", "9999-Q4", "9999-W53", "9999", "2026-12-31T23:59:60",
    "//evil.example/", "https://evil.example/", "/console/\r\nSet-Cookie: a=b", "\\\\evil",
    "/\\evil.example", "/console/%0d%0aX: y", "javascript:alert(1)", "/%2F%2Fevil",
    "\x00", "\x1b[31m", "a\x0bb", "\u202e", "\ufeff", "\x7f",
    "a" * 10_000, "中" * 3000, "<script>alert(1)</script>", "' OR 1=1 --", "%", "../../etc/passwd",
]  # fmt: skip
ONE_PER_CLASS = [str(2**63), "-1", "9" * 5000, "²³", "١٢", "nan", "9999-12-31", "//evil.example/",
                 "/console/\r\nX: y", "\x00", "a" * 10_000]  # fmt: skip
PLAUSIBLE = ["1", "2", "3", "0", "", "x", "2026-11-20", "2026-11", "true", "weekly", "admin"]


@dataclass
class Walk:
    """The app of one backend, a signed-in client per role, and plausible path values."""

    app: Flask
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]
    headers: dict[str, dict[str, str]]
    known: list[str]


def field_names() -> list[str]:
    """Return every form or query field name the templates and views mention."""
    names: set[str] = set()
    for html in ROOT.rglob("*.html"):
        names |= set(re.findall(r'name="([A-Za-z_][\w-]*)"', html.read_text(encoding="utf-8")))
    call = re.compile(r'(?:args|form|values|source|raw|data)\.get(?:list)?\(\s*f?"([\w-]+)"')
    for module in ROOT.rglob("*.py"):
        names |= set(call.findall(module.read_text(encoding="utf-8")))
    names |= {"next", "back", "page", "period", "day", "date_from", "date_to", "month", "year"}
    names |= {f"weight_{key}" for key in METRICS}
    return sorted(names - {"csrf_token"})


FIELDS = field_names()


def _county(engine) -> list[str]:
    """Fill the county (entries, codes, a survey, accounts); return plausible path values."""
    with writing(engine) as session:
        add_small_county(session)
    with writing(engine) as session:
        add_sample_entries(session)
        codes = add_codes(session)
        add_mutual_evaluation(session)
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局"))
        market_id = market.one().id
        tokens = list(session.exec(select(Survey.token)))
    add_account(engine, "walk-admin", PASSWORD, "admin")
    add_account(engine, "walk-head", PASSWORD, "head", market_id)
    add_account(engine, "walk-reviewer", PASSWORD, "reviewer", market_id)
    return [*codes.values(), *tokens]


def _api_headers(engine) -> dict[str, dict[str, str]]:
    """Give the head and the reviewer bearer tokens for the JSON API (dave heads, carol reviews)."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}, "admin": {}}
    with writing(engine) as session:
        for role, userid in (("head", "dave"), ("reviewer", "carol")):
            staff = session.exec(select(Staff).where(Staff.wecom_userid == userid)).one()
            token = auth_tokens.create_token(session, staff_id=staff.id)
            headers[role] = {"Authorization": f"Bearer {token}"}
    return headers


@pytest.fixture(scope="module")
def walk(database_url) -> Walk:
    """One app per backend for the whole module, with a signed-in client per role."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    wipe_database(engine)
    known = _county(engine)
    app = console_app(engine)  # rate limits stay on: a 429 is a fine answer too
    clients, tokens = {}, {}
    for role in ROLES:
        clients[role] = app.test_client()
        if role == "anonymous":
            tokens[role] = csrf_token(clients[role])
        else:
            tokens[role] = login_client(clients[role], f"walk-{role}", PASSWORD)
    yield Walk(app, clients, tokens, _api_headers(engine), known)
    wipe_database(engine)
    engine.dispose()


def _routes(app: Flask) -> list[tuple[Rule, str]]:
    pairs = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED:
            continue
        pairs += [(rule, m) for m in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return pairs


hostile = st.sampled_from(HOSTILE)
values = st.one_of(hostile, st.sampled_from(PLAUSIBLE), st.text(max_size=40))


@st.composite
def requests(draw, walk: Walk, role: str):
    """Draw one route, its path values, and a query and form full of hostile fields."""
    rule, method = draw(st.sampled_from(_routes(walk.app)))
    plausible = st.sampled_from(PLAUSIBLE + walk.known)
    path_values = {}
    for name in sorted(rule.arguments):
        only_hostile = rule.endpoint in ACCOUNT_ROUTES
        path_values[name] = draw(hostile if only_hostile else st.one_of(hostile, plausible))
    if draw(st.booleans()):  # one hostile value in every field: no guard hides a later field
        query = form = dict.fromkeys(FIELDS, draw(hostile))
    else:
        query = draw(st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, values)))
        form = draw(st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, values)))
    return rule, method, path_values, query, form


def _path(rule: Rule, path_values: dict[str, str]) -> str:
    """Build the path by hand so hostile values reach the router unconverted."""
    from urllib.parse import quote

    path = rule.rule
    for name, value in path_values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote(value, safe=""), path)
    return path


def _send(walk: Walk, role: str, request) -> tuple[str, int, str]:
    rule, method, path_values, query, form = request
    client, path = walk.clients[role], _path(rule, path_values)
    headers = walk.headers[role] if path.startswith("/api/") else {}
    if method == "GET":
        response = client.get(path, query_string=query, headers=headers)
    elif path.startswith("/api/"):
        response = client.post(path, query_string=query, json=form, headers=headers)
    else:
        data = {**form, "csrf_token": walk.tokens[role]}
        response = client.open(path, method=method, query_string=query, data=data)
    body = response.get_data().decode("utf-8", errors="replace")
    return f"{method} {path[:120]}", response.status_code, body


def _check(walk: Walk, role: str, request) -> None:
    label, status, body = _send(walk, role, request)
    if request[0].endpoint == "health.readyz" and status == 503:
        return  # the readiness probe's designed answer while no scheduler holds the lease
    assert status < 500, f"{role}: {label} answered {status}: {body[:300]}"
    assert not TRACE.search(body), f"{role}: {label} shows a stack trace"


WALK = settings(
    max_examples=20,
    deadline=3000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_a_hostile_request_with_a_500(walk, role):
    @WALK
    @given(data=st.data())
    def walk_once(data):
        _check(walk, role, data.draw(requests(walk, role)))

    walk_once()


def test_every_route_answers_hostile_path_values_without_a_500(walk):
    """One value of each class in every path argument of every route, as the admin."""
    failures = []
    for rule, method in _routes(walk.app):
        if not rule.arguments:
            continue
        for value in ONE_PER_CLASS:
            request = (rule, method, dict.fromkeys(rule.arguments, value), {}, {})
            label, status, body = _send(walk, "admin", request)
            if status >= 500 or TRACE.search(body):
                failures.append((label, status))
    assert failures == []
