"""Signing in to the console from tests: Playwright pages and Flask test clients."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the login form in a Playwright page and wait for the console."""
    page.goto(base_url.rstrip("/") + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/(?!login).*"))


def csrf_token(client: FlaskClient, path: str = "/console/login") -> str:
    """Return a CSRF token valid for this client's session, read from a console page."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_FIELD.search(html)
    assert match, f"no csrf_token on {path}"
    return match.group(1)


def login_client(client: FlaskClient, username: str, password: str) -> str:
    """Sign a Flask test client in; return a CSRF token for its further POSTs."""
    token = csrf_token(client)
    response = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return csrf_token(client, "/console/")


def console_app(engine, **overrides):
    """Build our app on a test engine (no emulator) for Flask test-client tests."""
    from backend.app import create_app
    from backend.settings import load_settings
    from tests.support.stack import TEST_WECOM

    url = engine.url.render_as_string(hide_password=False)
    settings = load_settings(DATABASE_URL=url, **{**TEST_WECOM, **overrides})
    return create_app(settings, engine=engine, migrate=False)


def add_account(engine, username: str, password: str, role: str, department_id=None):
    """Create a console account straight through the service; return its id."""
    from backend.db import writing
    from backend.org.accounts import create_account

    with writing(engine) as session:
        account = create_account(
            session, username=username, password=password, role=role, department_id=department_id
        )
    return account.id


def add_market_head_and_admin(session, password: str) -> int:
    """Add 县市场监督管理局's head account (markethead) and an admin behind bob (bianban)."""
    from backend.org.accounts import create_account
    from tests.support.org import department_id
    from tests.support.supervision import staff_id

    market = department_id(session, "县市场监督管理局")
    create_account(
        session, username="markethead", password=password, role="head", department_id=market
    )
    create_account(
        session,
        username="bianban",
        password=password,
        role="admin",
        staff_id=staff_id(session, "bob"),
    )
    return market
