"""Web guards: request bodies bounded before they are read, security headers on every page."""

from __future__ import annotations

import inspect
import io
import re
from pathlib import Path

import pytest

from backend.db import make_engine
from backend.migrate import upgrade_database
from backend.web.guards import CONTENT_SECURITY_POLICY
from backend.web.limits import limiter
from tests.support.console import add_account, console_app, login_client
from tests.support.stack import wipe_database

MB = 1024 * 1024
TEMPLATES = Path(__file__).resolve().parent.parent / "backend" / "web" / "templates"
INLINE = re.compile(r"<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=|javascript:", re.I)
UPLOAD_READERS = ("request.files", "uploaded_workbook(", "uploaded_attachment(")


class CountingStream(io.RawIOBase):
    """An endless request body that counts how much of it the app read."""

    def __init__(self, prefix: bytes) -> None:
        self.prefix, self.served = prefix, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = (self.prefix if self.served == 0 else b"") + b"x" * len(buffer)
        chunk = chunk[: len(buffer)]
        buffer[: len(chunk)] = chunk
        self.served += len(chunk)
        return len(chunk)


@pytest.fixture
def app(sqlite_engine):
    app = console_app(sqlite_engine)
    limiter.reset()
    yield app
    limiter.reset()


@pytest.fixture
def sqlite_engine(sqlite_url):
    """The guards do not depend on the database: one backend is enough."""
    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    wipe_database(engine)
    yield engine
    engine.dispose()


def test_a_300_mb_login_post_is_refused_before_it_is_read(app):
    body = CountingStream(b"username=admin&password=")
    response = app.test_client().post(
        "/console/login",
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": str(300 * MB)},
    )
    assert response.status_code == 413
    assert "提交的内容过大（上限 1 MB）" in response.get_data(as_text=True)
    assert body.served == 0


@pytest.mark.parametrize(
    ("content_type", "prefix"),
    [
        ("application/x-www-form-urlencoded", b"username=admin&password="),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n',
        ),
    ],
)
def test_a_streamed_body_is_cut_at_the_limit(app, content_type, prefix):
    body = CountingStream(prefix)
    chunked = {
        "wsgi.input": body,
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input_terminated": True,
    }
    response = app.test_client().post(
        "/console/login", content_type=content_type, environ_overrides=chunked
    )
    assert response.status_code == 413
    assert 0 < body.served <= 1 * MB + 64 * 1024


def test_public_and_api_413_answer_json_in_chinese(app):
    for path in ("/s/unknown-token", "/api/v1/health"):
        response = app.test_client().post(
            path, data=b"x" * (1 * MB + 1), content_type="application/octet-stream"
        )
        assert response.status_code == 413
        assert "上限 1 MB" in response.get_json()["message"]


def test_too_many_form_parts_are_refused(app):
    fields = {f"f{i}": "1" for i in range(1100)}
    response = app.test_client().post(
        "/console/login", data=fields, content_type="multipart/form-data"
    )
    assert response.status_code == 413


def test_upload_routes_take_the_upload_limit(sqlite_engine):
    app = console_app(sqlite_engine, LVZHI_UPLOAD_MAX_BYTES=3 * MB)
    add_account(sqlite_engine, "admin1", "s3cret-pass", "admin")
    client = app.test_client()
    token = login_client(client, "admin1", "s3cret-pass")
    limiter.reset()

    def upload(size: int):
        form = {"csrf_token": token, "file": (io.BytesIO(b"\0" * size), "roster.xlsx")}
        return client.post("/console/imports/roster", data=form, content_type="multipart/form-data")

    not_a_workbook = upload(2 * MB)  # over the page limit, under the upload limit: it is read
    assert not_a_workbook.status_code == 400, not_a_workbook.get_data(as_text=True)[-800:]
    too_big = upload(4 * MB)
    assert too_big.status_code == 413 and "上限 3 MB" in too_big.get_data(as_text=True)


def test_every_view_reading_an_upload_is_marked(app):
    readers = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if any(word in inspect.getsource(inspect.unwrap(view)) for word in UPLOAD_READERS)
    }
    marked = {e for e, v in app.view_functions.items() if getattr(v, "accepts_upload", False)}
    assert readers and readers == marked


def test_pages_carry_security_headers(app):
    client = app.test_client()
    for path in ("/console/login", "/", "/static/console.css", "/api/v1/health"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert "Strict-Transport-Security" not in headers  # plain http here
    csp = client.get("/console/login").headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp


def test_https_adds_hsts_but_the_callback_keeps_plain_headers(sqlite_engine):
    app = console_app(sqlite_engine, PUBLIC_BASE_URL="https://lvzhi.example.gov.cn")
    client = app.test_client()
    assert client.get("/console/login").headers["Strict-Transport-Security"].startswith("max-age=")
    callback = client.get("/wecom/callback")
    assert callback.status_code == 400
    assert "Content-Security-Policy" not in callback.headers
    assert "X-Frame-Options" not in callback.headers


def test_templates_have_no_inline_script_or_style():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
