"""The shipped nginx site and systemd units: a real nginx with TLS in front of `lvzhi serve`."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from backend.cli import main
from backend.db import make_engine, writing
from backend.demo.emulator_link import emulator_config
from backend.migrate import upgrade_database
from backend.settings import load_settings
from bot.crypto import CallbackCrypto
from bot.emulator import EmulatorServer
from bot.messages import build_text_callback
from tests.support.console import CSRF_FIELD, add_account, console_app
from tests.support.nginx import (
    PROJECT_ROOT,
    SITE,
    LvzhiServe,
    NginxServer,
    SiteValues,
    client_from,
    nginx_binary,
    render_site,
    self_signed_certificate,
)
from tests.support.org import add_small_county
from tests.support.processes import free_port
from tests.support.stack import TEST_WECOM
from tests.support.supervision import add_codes

PASSWORD = "nginx-test-pass-7Qx"
UNITS = PROJECT_ROOT / "deploy" / "systemd"
INSTALL_ROOT = "/opt/lvzhi"
NGINX_TOO_LARGE = "request body too large"  # deploy/nginx/lvzhi.conf's own 413 text
PUBLIC_RATE_LIMIT = 20  # backend/web/public/supervision.py: "20 per minute"
MEBIBYTE = 1024 * 1024


@dataclass
class Proxied:
    """nginx on https/http loopback ports in front of gunicorn, and what the tests need of it."""

    url: str  # https://127.0.0.1:<port>, the app's PUBLIC_BASE_URL
    http_url: str
    certificate: Path
    app: LvzhiServe
    code: str  # a supervision code of the fixture county

    def client(self, source: str = "127.0.0.1") -> requests.Session:
        """Return a client whose connections come from `source`."""
        client = client_from(source, self.certificate)
        client.headers["Referer"] = self.url + "/"  # CSRF checks the referrer under https
        return client

    def reached_app(self, marker: str, wait: float = 3.0) -> bool:
        """Tell whether gunicorn's access log shows a request whose URL holds `marker`."""
        deadline = time.monotonic() + wait
        while marker not in self.app.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        return marker in self.app.log()


def _populate(database_url: str) -> str:
    """Migrate, load the fixture county and an administrator; return a supervision code."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    with writing(engine) as session:
        add_small_county(session)
        session.flush()
        code = next(iter(add_codes(session).values()))
    add_account(engine, "admin1", PASSWORD, "admin")
    engine.dispose()
    return code


def _app_environment(base: Path, database_url: str, public_url: str, api_base: str) -> dict:
    """Return the settings `lvzhi serve` runs with: behind one trusted proxy, on https."""
    return {
        **{name: str(value) for name, value in TEST_WECOM.items()},
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": public_url,
        "WECOM_API_BASE": api_base,
        "LVZHI_TRUSTED_PROXIES": "1",
        "LVZHI_METRICS_DIR": str(base / "metrics"),
        "LVZHI_BACKUP_DIR": str(base / "backups"),
    }


@pytest.fixture(scope="module")
def proxied(tmp_path_factory) -> Iterator[Proxied]:
    """Start the emulator, `lvzhi serve` and nginx running the shipped site; stop them after."""
    try:
        nginx_binary()
    except FileNotFoundError as missing:
        pytest.fail(str(missing))
    base = tmp_path_factory.mktemp("nginx")
    https_port, http_port, app_port = free_port(), free_port(), free_port()
    public_url = f"https://127.0.0.1:{https_port}"
    database_url = f"sqlite:///{base / 'lvzhi.db'}"
    settings = load_settings(DATABASE_URL=database_url, PUBLIC_BASE_URL=public_url, **TEST_WECOM)
    code = _populate(database_url)
    emulator = EmulatorServer(emulator_config(settings)).start()  # the app's WeCom API
    (base / "app").mkdir()
    environment = _app_environment(base, database_url, public_url, emulator.api_base)
    app, nginx = LvzhiServe(base / "app", app_port, environment), None
    try:
        app.start()
        certificate, key = self_signed_certificate(base)
        values = SiteValues(
            "127.0.0.1", certificate, key, https_port, http_port, f"127.0.0.1:{app_port}"
        )
        (base / "nginx").mkdir()
        nginx = NginxServer(base / "nginx", render_site(SITE.read_text("utf-8"), values))
        nginx.start(wait_for_port=https_port)
        yield Proxied(public_url, f"http://127.0.0.1:{http_port}", certificate, app, code)
    finally:
        if nginx is not None:
            nginx.stop()
        app.stop()
        emulator.stop()


def _crypto() -> CallbackCrypto:
    return CallbackCrypto(
        TEST_WECOM["WECOM_TOKEN"], TEST_WECOM["WECOM_AES_KEY"], TEST_WECOM["WECOM_CORP_ID"]
    )


def _csrf_token(client: requests.Session, url: str) -> str:
    """Open the console's login page (starting a session); return its CSRF token."""
    response = client.get(url + "/console/login", timeout=10)
    assert response.status_code == 200, response.text[:300]
    match = CSRF_FIELD.search(response.text)
    assert match, "no csrf_token on the login page"
    return match.group(1)


# --- the WeCom callback -----------------------------------------------------------------------


def test_a_signed_callback_through_nginx_gets_the_bot_reply(proxied: Proxied):
    corp, agent = TEST_WECOM["WECOM_CORP_ID"], TEST_WECOM["WECOM_AGENT_ID"]
    plain = build_text_callback(corp, "alice", "帮助", 880001, agent, int(time.time()))
    body, params = _crypto().encrypt_callback(plain, agent)

    response = proxied.client().post(
        proxied.url + "/wecom/callback", params=params, data=body.encode(), timeout=10
    )

    assert response.status_code == 200, response.text[:300]
    assert "履职助手" in _crypto().decrypt_reply(response.text)


def test_url_verification_through_nginx_echoes_the_plain_text(proxied: Proxied):
    _, params = _crypto().encrypt_echostr("1288432023552776189")

    response = proxied.client().get(proxied.url + "/wecom/callback", params=params, timeout=10)

    assert response.status_code == 200
    assert response.text == "1288432023552776189"


# --- client addresses, cookies ----------------------------------------------------------------


def _rate(client: requests.Session, proxied: Proxied, token: str, forged: str | None = None):
    """Post an (empty, refused) rating to the public QR page; return the response."""
    headers = {"X-Forwarded-For": forged} if forged else {}
    data = {"csrf_token": token}
    return client.post(f"{proxied.url}/q/{proxied.code}", data=data, headers=headers, timeout=10)


def test_the_rate_limiter_counts_the_real_client_address(proxied: Proxied):
    crowded, other = proxied.client("127.0.0.1"), proxied.client("127.0.0.2")
    token = _csrf_token(crowded, proxied.url)
    # Each request claims another address in X-Forwarded-For: nginx appends the real one,
    # which is the one the app trusts, so the forgery never escapes the limit.
    answers = [
        _rate(crowded, proxied, token, forged=f"10.0.{n}.9") for n in range(PUBLIC_RATE_LIMIT)
    ]
    left = [answer.headers.get("X-RateLimit-Remaining") for answer in answers]
    assert left == [str(PUBLIC_RATE_LIMIT - n) for n in range(1, PUBLIC_RATE_LIMIT + 1)]

    assert _rate(crowded, proxied, token, forged="10.99.0.1").status_code == 429
    assert _rate(crowded, proxied, token).status_code == 429
    fresh = _rate(other, proxied, _csrf_token(other, proxied.url))
    assert fresh.status_code != 429
    assert fresh.headers["X-RateLimit-Remaining"] == str(PUBLIC_RATE_LIMIT - 1)


def test_console_cookies_are_secure_behind_nginx(proxied: Proxied):
    client = proxied.client("127.0.0.3")
    token = _csrf_token(client, proxied.url)
    data = {"username": "admin1", "password": PASSWORD, "csrf_token": token}

    response = client.post(
        proxied.url + "/console/login", data=data, allow_redirects=False, timeout=10
    )

    assert response.status_code == 302, response.text[:300]
    cookie = response.headers["Set-Cookie"]
    assert "session=" in cookie
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert attribute.lower() in cookie.lower(), cookie
    # The app's security headers pass through; nginx names no version.
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Server"] == "nginx"
    assert not response.headers["Location"].startswith("http://")


# --- body limits ------------------------------------------------------------------------------


def test_an_oversize_body_is_refused_by_nginx_before_gunicorn(proxied: Proxied):
    client, marker = proxied.client(), uuid.uuid4().hex
    body = b"x" * (2 * MEBIBYTE)  # over the 1 MiB default

    response = client.post(f"{proxied.url}/console/login?probe={marker}", data=body, timeout=10)

    assert response.status_code == 413
    assert NGINX_TOO_LARGE in response.text
    assert not proxied.reached_app(marker, wait=0.5)


def test_the_callback_has_its_own_small_limit(proxied: Proxied):
    marker = uuid.uuid4().hex
    body = b"<xml>" + b" " * (100 * 1024) + b"</xml>"  # over 64 KiB, under the 1 MiB default

    response = proxied.client().post(
        f"{proxied.url}/wecom/callback?probe={marker}", data=body, timeout=10
    )

    assert response.status_code == 413
    assert NGINX_TOO_LARGE in response.text
    assert not proxied.reached_app(marker, wait=0.5)


def test_an_upload_sized_body_passes_on_an_upload_route(proxied: Proxied):
    marker = uuid.uuid4().hex
    body = b"x" * (20 * MEBIBYTE)  # an Excel import: over 1 MiB, under the 30 MiB upload limit

    response = proxied.client().post(
        f"{proxied.url}/console/imports/staff?probe={marker}",
        data=body,
        headers={"Content-Type": "application/octet-stream"},
        timeout=30,
    )

    assert response.status_code != 413
    assert NGINX_TOO_LARGE not in response.text
    assert proxied.reached_app(marker)  # gunicorn got it (and refused it: no sign-in, no CSRF)


def _upload_location() -> re.Pattern:
    """Return the site's regex location that takes upload-sized bodies."""
    blocks = re.findall(r"location ~ (\S+) \{([^}]*)\}", SITE.read_text("utf-8"))
    uploads = [pattern for pattern, body in blocks if "client_max_body_size 31m" in body]
    assert len(uploads) == 1, blocks
    return re.compile(uploads[0])


def _sample_path(rule: str) -> str:
    """Return a path the rule matches (numbers for int parts, a word for the others)."""
    return re.sub(r"<[^>]+>", "staff", re.sub(r"<int:[^>]+>", "7", rule))


def test_exactly_the_upload_views_get_the_upload_limit(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'routes.db'}")
    upgrade_database(engine)  # the rate limiter's reset in later tests reaches this database too
    app = console_app(engine)
    location, uploads, others = _upload_location(), [], []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "POST" in (rule.methods or ()):
            is_upload = getattr(view, "accepts_upload", False)
            (uploads if is_upload else others).append(_sample_path(rule.rule))
    assert uploads, "no @accepts_upload views found"
    assert [path for path in uploads if not location.fullmatch(path)] == []
    assert [path for path in others if location.fullmatch(path)] == []


# --- redirects, probes, metrics, unknown hosts ------------------------------------------------


def test_plain_http_redirects_to_https(proxied: Proxied):
    response = proxied.client().get(
        proxied.http_url + "/console/login?next=%2Fconsole%2F", allow_redirects=False, timeout=10
    )

    assert response.status_code == 301
    # Same host and path on https (port 443 in production; the test's nginx uses another).
    assert response.headers["Location"] == "https://127.0.0.1/console/login?next=%2Fconsole%2F"


def test_probes_pass_and_metrics_are_only_for_this_machine(proxied: Proxied):
    outside, local = proxied.client("127.0.0.2"), proxied.client("127.0.0.1")
    assert outside.get(proxied.url + "/livez", timeout=10).json() == {"status": "ok"}
    assert "checks" in outside.get(proxied.url + "/readyz", timeout=10).json()

    refused = outside.get(f"{proxied.url}/metrics?probe={uuid.uuid4().hex}", timeout=10)
    assert refused.status_code == 403
    assert "nginx" in refused.text  # nginx's own page: the app never saw it
    marker = uuid.uuid4().hex
    local.get(f"{proxied.url}/metrics?probe={marker}", timeout=10)
    assert proxied.reached_app(marker)


def test_an_unknown_host_name_is_closed_without_an_answer(proxied: Proxied):
    with pytest.raises(requests.ConnectionError):
        proxied.client().get(proxied.url + "/livez", headers={"Host": "evil.example"}, timeout=10)


# --- systemd units ----------------------------------------------------------------------------


def _installed_units(folder: Path) -> list[Path]:
    """Write the units with this checkout in place of /opt/lvzhi; return their paths."""
    written = []
    for unit in sorted(UNITS.glob("*.service")):
        target = folder / unit.name
        target.write_text(unit.read_text("utf-8").replace(INSTALL_ROOT, str(PROJECT_ROOT)))
        written.append(target)
    return written


def _exec_start(unit: Path) -> list[str]:
    """Return the unit's ExecStart command line, split into words."""
    lines = unit.read_text("utf-8").splitlines()
    return next(line for line in lines if line.startswith("ExecStart=")).split("=", 1)[1].split()


def _parses_as_lvzhi_command(words: list[str]) -> None:
    """Parse `lvzhi <words>` as the CLI would (Click raises on an unknown command or option)."""
    name, *arguments = words
    command = main.get_command(main.make_context("lvzhi", [name]), name)
    assert command is not None, f"no command lvzhi {name}"
    command.make_context(name, arguments)


def test_the_systemd_units_run_our_commands_and_verify(tmp_path: Path):
    units = _installed_units(tmp_path)
    assert [unit.name for unit in units] == [
        "lvzhi-bot.service",
        "lvzhi-scheduler.service",
        "lvzhi-web.service",
    ]
    for unit in units:
        text = unit.read_text("utf-8")
        for setting in (
            "User=lvzhi",
            "EnvironmentFile=",
            "ProtectSystem=strict",
            "NoNewPrivileges=yes",
            f"ReadWritePaths={PROJECT_ROOT}/var",
        ):
            assert setting in text, (unit.name, setting)
        command = _exec_start(unit)
        assert command[0] == f"{PROJECT_ROOT}/.venv/bin/lvzhi"
        _parses_as_lvzhi_command(command[1:])
    if shutil.which("systemd-analyze") is None:
        return  # nothing more to check on a machine without systemd
    verify = subprocess.run(
        ["systemd-analyze", "verify", *map(str, units)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    complaints = [line for line in verify.stderr.splitlines() if "lvzhi" in line]
    assert verify.returncode == 0 and not complaints, verify.stderr
