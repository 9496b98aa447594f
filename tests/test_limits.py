"""Shared rate limits: proxy awareness, counters every process sees, sign-in without lockouts."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlmodel import Session

from backend.settings import PROJECT_ROOT
from backend.web.limits import COOLING_DOWN, TOO_MANY_FOR_ACCOUNT, DatabaseStorage, limiter
from tests.support.console import add_account, console_app, csrf_token
from tests.support.org import add_small_county
from tests.support.redis import RedisServer
from tests.support.supervision import add_codes

PASSWORD = "s3cret-pass"
OTHER_PROCESS = """
import sys
from backend.db import make_engine
from tests.support.console import console_app, csrf_token
url, redis_url, *addresses = sys.argv[1:]
app = console_app(make_engine(url), LVZHI_REDIS_URL=redis_url)
for address in addresses:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    data = {"username": "admin1", "password": "guess", "csrf_token": csrf_token(client)}
    print(client.post("/console/login", data=data).status_code)
"""


@pytest.fixture
def county(engine):
    with Session(engine) as session:
        add_small_county(session)
        codes = add_codes(session)
        session.commit()
    add_account(engine, "admin1", PASSWORD, "admin")
    return codes


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A real redis-server for this module; skipped only when it cannot be installed."""
    try:
        server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    except FileNotFoundError as missing:
        pytest.skip(str(missing))
    yield server.url
    server.stop()


def sign_in(app, address: str, password: str = "guess", headers: dict | None = None):
    """Post the login form from a fresh browser at `address`; return the response."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client)
    data = {"username": "admin1", "password": password, "csrf_token": token}
    return client.post("/console/login", data=data, headers=headers or {})


def test_a_stranger_failing_from_many_addresses_cannot_lock_out_the_user(engine, county):
    app = console_app(engine)
    codes = [sign_in(app, f"10.0.{i}.1").status_code for i in range(25)]
    assert codes == [401] * 25  # each fresh address may try; the old code refused the 21st
    assert sign_in(app, "192.0.2.7", PASSWORD).status_code == 302  # the user, elsewhere
    cooled = sign_in(app, "10.0.24.1", PASSWORD)  # an address that failed while under attack
    assert cooled.status_code == 429 and COOLING_DOWN in cooled.get_data(as_text=True)


def test_failures_from_one_address_stop_that_address_only(engine, county):
    app = console_app(engine)
    assert [sign_in(app, "10.1.1.1").status_code for _ in range(10)] == [401] * 10
    refused = sign_in(app, "10.1.1.1", PASSWORD)
    assert refused.status_code == 429 and TOO_MANY_FOR_ACCOUNT in refused.get_data(as_text=True)
    assert sign_in(app, "10.1.1.2", PASSWORD).status_code == 302


def test_without_a_trusted_proxy_forwarded_headers_change_nothing(engine, county):
    app = console_app(engine)  # LVZHI_TRUSTED_PROXIES defaults to 0
    for i in range(10):
        spoofing = {"X-Forwarded-For": f"8.8.{i}.8"}
        assert sign_in(app, "10.2.2.2", headers=spoofing).status_code == 401
    spoofed = sign_in(app, "10.2.2.2", PASSWORD, headers={"X-Forwarded-For": "9.9.9.9"})
    assert spoofed.status_code == 429  # the header did not make a fresh address
    page = app.test_client().get(f"/q/{county['县民政局']}", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in page.headers["Set-Cookie"]


def test_behind_a_trusted_proxy_the_client_address_and_https_come_from_it(engine, county):
    app = console_app(engine, LVZHI_TRUSTED_PROXIES=1)
    nginx = "127.0.0.1"
    for i in range(10):  # the client's own (spoofed) entries come first; nginx appends the real one
        forwarded = {"X-Forwarded-For": f"8.8.{i}.8, 203.0.113.5"}
        assert sign_in(app, nginx, headers=forwarded).status_code == 401
    assert sign_in(app, nginx, PASSWORD, {"X-Forwarded-For": "203.0.113.5"}).status_code == 429
    assert sign_in(app, nginx, PASSWORD, {"X-Forwarded-For": "203.0.113.6"}).status_code == 302
    page = app.test_client().get(
        f"/q/{county['县民政局']}",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.6"},
    )
    assert "Secure" in page.headers["Set-Cookie"]


def _other_process_signs_in(engine, redis_url: str, *addresses: str) -> list[int]:
    """Return the statuses another Python process (another worker) gets for failed sign-ins."""
    url = engine.url.render_as_string(hide_password=False)
    result = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, url, redis_url, *addresses],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return [int(line) for line in result.stdout.split()[-len(addresses) :]]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # one process start is slow
def test_two_processes_on_one_database_share_the_counters(engine, county):
    app = console_app(engine)
    assert isinstance(limiter.storage, DatabaseStorage)
    assert [sign_in(app, "10.3.3.3").status_code for _ in range(10)] == [401] * 10
    # memory:// (per process) answered [401, 401]
    assert _other_process_signs_in(engine, "", "10.3.3.3", "10.3.3.4") == [429, 401]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_processes_share_the_counters_in_redis(engine, county, redis_url):
    app = console_app(engine, LVZHI_REDIS_URL=redis_url)
    try:
        assert type(limiter.storage).__name__ == "RedisStorage"
        assert [sign_in(app, "10.4.4.4").status_code for _ in range(10)] == [401] * 10
        assert _other_process_signs_in(engine, redis_url, "10.4.4.4", "10.4.4.5") == [429, 401]
    finally:
        limiter.reset()
        console_app(engine)  # later tests' apps count in the database again
