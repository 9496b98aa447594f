"""Session-wide servers (PostgreSQL, emulator, web app) and per-test clean state."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session

from backend.db import make_engine, writing
from backend.migrate import upgrade_database
from backend.outbox import rules
from tests.support.chat import Member
from tests.support.org import add_small_county
from tests.support.postgres import PostgresServer
from tests.support.stack import TEST_WECOM, Stack, start_stack, wipe_database

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start one PostgreSQL server for the whole session."""
    if os.environ.get("LVZHI_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("PostgreSQL disabled by LVZHI_TEST_SKIP_POSTGRES=1")
    # Not under pytest's temp folder: the postgres user must be able to reach the data folder.
    base = Path(tempfile.mkdtemp(prefix="lvzhi-pg-"))
    server = PostgresServer(base)
    url = server.start()
    yield url
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    """Yield a database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'lvzhi.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="module")
def app_engine(sqlite_url):
    """A migrated SQLite engine for one test module's console app (tests wipe it themselves)."""
    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    """A SQLite database URL for tests that need only one backend."""
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite-only') / 'lvzhi.db'}"


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A URL for a new, empty database on the same backend (other tests' data stays apart)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(database_url):
    """An upgraded, empty database on each backend."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    wipe_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _stacks(tmp_path_factory) -> Iterator[dict[str, Stack]]:
    stacks: dict[str, Stack] = {}
    stacks_folder.append(tmp_path_factory.mktemp("stacks"))
    yield stacks
    for stack in stacks.values():
        stack.stop()


stacks_folder: list[Path] = []  # where the session's stacks keep their files


def _stack_for(stacks: dict[str, Stack], url: str) -> Stack:
    if url not in stacks:
        stacks[url] = start_stack(url, stacks_folder[-1])
    stack = stacks[url]
    stack.reset(add_small_county)
    return stack


@pytest.fixture(autouse=True)
def _members_route_back() -> Iterator[None]:
    """End every test with members' messages routed as the settings say (the app), since a
    long-connection test routes them through the bot for the whole process."""
    yield
    rules.use_channel("callback")


@pytest.fixture
def channel(request) -> str:
    """How members reach the bot: the callback, or (modules naming CHANNELS) each in turn."""
    return getattr(request, "param", "callback")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a module's conversations through every channel it names in CHANNELS."""
    channels = getattr(metafunc.module, "CHANNELS", None)
    if channels and "channel" in metafunc.fixturenames:
        metafunc.parametrize("channel", channels, indirect=True)


@pytest.fixture
def stack(_stacks, database_url, channel) -> Stack:
    """The emulator and our app on one backend, reset to the small fixture county."""
    stack = _stack_for(_stacks, database_url)
    stack.use_channel(channel)
    return stack


@pytest.fixture
def sqlite_stack(_stacks, sqlite_url) -> Stack:
    """The same, on SQLite only (browser tests and slow paths)."""
    return _stack_for(_stacks, sqlite_url)


@pytest.fixture
def alice(stack) -> Member:
    """Alice, a staff member of 县市场监督管理局."""
    return Member(stack.emulator.url, "alice")


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A plain session on an empty upgraded database (tests write and commit through it)."""
    with Session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and other files kept after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the whole session, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make system-deps`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (own cookies), closed after the test; fails on any CSP violation."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: _note_csp_violation(message.text, refused))
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy blocked part of a page"


def _note_csp_violation(text: str, refused: list[str]) -> None:
    if "Content Security Policy" in text:
        refused.append(text)


@pytest.fixture
def cli_county(monkeypatch, tmp_path) -> Iterator:
    """The small county in a SQLite file that `lvzhi` commands find through the environment."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    for key, value in {**TEST_WECOM, "DATABASE_URL": url}.items():
        monkeypatch.setenv(key, str(value))
    engine = make_engine(url)
    upgrade_database(engine)
    with writing(engine) as session:
        add_small_county(session)
    yield engine
    engine.dispose()
