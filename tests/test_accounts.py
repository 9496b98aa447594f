"""Console accounts: hashed passwords, sign-in, CSRF, rate limiting, audit, WeCom-role accounts."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from backend.models import AuditLog
from backend.models.accounts import Account
from backend.org import accounts
from backend.web.limits import limiter
from tests.support.console import add_account, console_app, csrf_token, login_client
from tests.support.org import add_small_county


@pytest.fixture
def county(engine):
    with Session(engine) as session:
        ids = add_small_county(session)
        session.commit()
        return {d.name: d.id for d in ids["departments"]}


@pytest.fixture
def app(engine, county):
    app = console_app(engine)
    limiter.reset()
    yield app
    limiter.reset()


def test_password_is_stored_hashed_and_checked(engine, county):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    with Session(engine) as session:
        stored = session.exec(select(Account)).one()
        assert "s3cret-pass" not in stored.password_hash
        assert stored.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert accounts.authenticate(session, username="admin1", password="wrong-pass") is None
        assert accounts.authenticate(session, username="admin1", password="s3cret-pass").id
        assert stored.last_login_at is not None


def test_bad_accounts_are_refused_in_chinese(engine, county):
    with Session(engine) as session:
        with pytest.raises(accounts.AccountError, match="密码至少"):
            accounts.create_account(session, username="x_user", password="short", role="admin")
        with pytest.raises(accounts.AccountError, match="必须指定所属部门"):
            accounts.create_account(session, username="head1", password="long-enough", role="head")
        with pytest.raises(accounts.AccountError, match="角色"):
            accounts.create_account(session, username="boss", password="long-enough", role="boss")
        accounts.create_account(session, username="taken", password="long-enough", role="admin")
        with pytest.raises(accounts.AccountError, match="已存在"):
            accounts.create_account(session, username="taken", password="long-enough", role="admin")


def test_login_logout_and_audit(app, engine):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    client = app.test_client()
    assert client.get("/console/").status_code == 302
    token = login_client(client, "admin1", "s3cret-pass")
    page = client.get("/console/")
    assert page.status_code == 200 and "仪表盘" in page.get_data(as_text=True)
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/").status_code == 302
    with Session(engine) as session:
        actions = [row.action for row in session.exec(select(AuditLog))]
    assert actions == ["login", "logout"]


def test_wrong_password_is_refused_with_a_message(app, engine):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/console/login", data={"username": "admin1", "password": "nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(app, engine):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    response = app.test_client().post(
        "/console/login", data={"username": "admin1", "password": "s3cret-pass"}
    )
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)


def test_repeated_failed_logins_are_rate_limited(app, engine):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    client = app.test_client()
    token = csrf_token(client)
    wrong = {"username": "admin1", "password": "guess", "csrf_token": token}
    codes = [client.post("/console/login", data=wrong).status_code for _ in range(11)]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
    right = {"username": "admin1", "password": "s3cret-pass", "csrf_token": token}
    assert client.post("/console/login", data=right).status_code == 429


def test_session_cookie_is_httponly_and_lax(app, engine):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    client = app.test_client()
    token = csrf_token(client)
    data = {"username": "admin1", "password": "s3cret-pass", "csrf_token": token}
    cookie = client.post("/console/login", data=data).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_when_public_url_is_https(engine, county):
    app = console_app(engine, PUBLIC_BASE_URL="https://lvzhi.example.gov.cn")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_disabled_account_cannot_sign_in_and_loses_its_session(app, engine):
    add_account(engine, "admin1", "s3cret-pass", "admin")
    client = app.test_client()
    login_client(client, "admin1", "s3cret-pass")
    with Session(engine) as session:
        account = accounts.find_account(session, "admin1")
        accounts.set_active(session, account=account, active=False)
        session.commit()
    assert client.get("/console/").status_code == 302


def test_wecom_accounts_follow_the_roster_role(engine, county):
    from backend.models import Role, Staff

    with Session(engine) as session:
        dave = session.exec(select(Staff).where(Staff.wecom_userid == "dave")).one()
        account = accounts.account_for_staff(session, staff=dave)
        assert (account.role, account.department_id) == ("head", dave.department_id)
        dave.role = Role.REVIEWER
        assert accounts.account_for_staff(session, staff=dave).role == "reviewer"
        dave.role = Role.STAFF
        assert accounts.account_for_staff(session, staff=dave) is None
        alice = session.exec(select(Staff).where(Staff.wecom_userid == "alice")).one()
        assert accounts.account_for_staff(session, staff=alice) is None
        linked = accounts.create_account(session, username="alice-admin", password="",
                                         role="admin", staff_id=alice.id)  # fmt: skip
        assert accounts.account_for_staff(session, staff=alice).id == linked.id
