"""Console sessions end for good: a copied cookie dies on sign-out, a new password or disabling."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import text

from backend.cli import main
from backend.db import reading
from backend.models.accounts import Account
from backend.web.limits import limiter
from tests.support.console import add_account, console_app, login_client
from tests.support.org import add_small_county

INSERT_ACCOUNT = text(
    "INSERT INTO account (username, password_hash, role, active, created_at, updated_at)"
    " VALUES (:name, '', 'admin', true, '2026-01-01', '2026-01-01')"
)


@pytest.fixture
def app(engine):
    from backend.db import writing

    with writing(engine) as session:
        add_small_county(session)
    app = console_app(engine)
    limiter.reset()
    yield app
    limiter.reset()


def _copy(client: FlaskClient, app) -> FlaskClient:
    """Return a second browser holding a copy of this client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _opens_console(client: FlaskClient) -> bool:
    return client.get("/console/accounts").status_code == 200


def test_cookie_copied_before_logout_no_longer_opens_the_console(app, engine):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    browser = app.test_client()
    token = login_client(browser, "admin1", "s3cret-pass")
    copy = _copy(browser, app)
    assert _opens_console(copy)
    assert browser.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert not _opens_console(copy)
    assert copy.get("/console/accounts").headers["Location"].startswith("/console/login")
    login_client(browser, "admin1", "s3cret-pass")  # signing in again works
    assert _opens_console(browser) and not _opens_console(copy)


def test_password_reset_in_the_console_ends_the_members_sessions(app, engine):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    other = add_account(engine, "admin2", "other-pass", "admin")
    victim = app.test_client()
    login_client(victim, "admin2", "other-pass")
    copy = _copy(victim, app)
    admin = app.test_client()
    token = login_client(admin, "admin1", "s3cret-pass")
    reset = admin.post(f"/console/accounts/{other}/password",
                       data={"password": "new-pass-456", "csrf_token": token})  # fmt: skip
    assert reset.status_code == 302
    assert not _opens_console(victim) and not _opens_console(copy)
    assert _opens_console(admin)


def test_disable_then_enable_does_not_revive_old_sessions(app, engine):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    other = add_account(engine, "admin2", "other-pass", "admin")
    victim = app.test_client()
    login_client(victim, "admin2", "other-pass")
    admin = app.test_client()
    token = login_client(admin, "admin1", "s3cret-pass")
    for active in ("0", "1"):
        form = {"active": active, "csrf_token": token}
        admin.post(f"/console/accounts/{other}/active", data=form)
    assert not _opens_console(victim)


def test_forged_cookie_without_the_stamp_is_refused(app, engine):
    account_id = add_account(engine, "admin1", "s3cret-pass", "admin")
    forger = app.test_client()
    with forger.session_transaction() as session:  # signed with the real key, old-style payload
        session["console_account_id"] = account_id
    assert not _opens_console(forger)


def test_password_set_from_the_command_line_ends_sessions(cli_county):
    app = console_app(cli_county)
    add_account(cli_county, "admin1", "s3cret-pass", "admin")
    browser = app.test_client()
    login_client(browser, "admin1", "s3cret-pass")
    with reading(cli_county) as session:
        before = session.get(Account, 1).session_epoch
    result = CliRunner().invoke(main, ["account", "password", "admin1", "--password", "n3w-pass-1"])
    assert result.exit_code == 0, result.output
    assert not _opens_console(browser)
    with reading(cli_county) as session:
        assert session.get(Account, 1).session_epoch != before


def test_upgrade_gives_existing_accounts_their_own_stamp(tmp_path):
    from alembic import command

    from backend.db import make_engine
    from backend.migrate import alembic_config, upgrade_database

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(str(engine.url)), "g8_jobs")
    with engine.begin() as connection:
        for name in ("admin1", "admin2"):
            connection.execute(INSERT_ACCOUNT, {"name": name})
    upgrade_database(engine)
    with engine.connect() as connection:
        stamps = connection.execute(text("SELECT session_epoch FROM account")).scalars().all()
    assert len(set(stamps)) == 2 and all(len(stamp) == 32 for stamp in stamps)
    engine.dispose()
