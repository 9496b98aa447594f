"""`make demo` end to end: right after start-up every group chat holds charts and files, the printed
rating and survey links open their forms, and a restart posts nothing again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import func
from sqlmodel import Session, select

from backend.db import make_engine
from backend.demo.public import SURVEY_TITLE
from backend.models import OutboxMessage
from backend.reports import posting
from backend.reports.periods import last_complete
from backend.settings import PROJECT_ROOT, Settings, load_settings
from scheduled.reports import monthly_reports, weekly_summaries
from tests.support.processes import free_port, stop_process
from tests.support.stack import TEST_WECOM

pytestmark = pytest.mark.browser
READY = "按 Ctrl-C 停止"
START_UP_LIMIT = 300  # seconds; the demo's own bounds for posting are 240


@dataclass
class Demo:
    """One `lvzhi demo` run: its process, ports and everything it printed until it was ready."""

    process: subprocess.Popen
    web_url: str
    emulator_url: str
    output: str
    seconds: float

    def printed_url(self, path: str) -> str:
        """Return the first printed URL of our web app whose path starts with `path`."""
        match = re.search(re.escape(self.web_url + path) + r"\S+", self.output)
        assert match, f"no {path} link printed:\n{self.output}"
        return match.group(0)


def _environment(folder: Path, web_port: int, emulator_port: int, bot_port: int) -> dict[str, str]:
    settings = {
        **TEST_WECOM,
        "DATABASE_URL": f"sqlite:///{folder / 'lvzhi.db'}",
        "WECOM_API_BASE": f"http://127.0.0.1:{emulator_port}/cgi-bin/",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
        "LVZHI_METRICS_DIR": str(folder / "metrics"),
        "LVZHI_BACKUP_DIR": str(folder / "backups"),
        "LVZHI_ADMIN_CHAT": "",
        "LVZHI_SCHEDULER_NOW": "",
        "WECOM_BOT_WS_URL": f"wss://127.0.0.1:{bot_port}",
        "WECOM_BOT_CA_FILE": str(folder / "emulator-ca.pem"),
        "PYTHONUNBUFFERED": "1",
    }
    return {**os.environ, **{key: str(value) for key, value in settings.items()}}


def start_demo(folder: Path, name: str, channel: str = "callback") -> Demo:
    """Start `python -m backend.cli demo` (what `make demo` runs) and wait until it is ready."""
    web_port, emulator_port, bot_port = free_port(), free_port(), free_port()
    log = folder / f"{name}.log"
    command = [sys.executable, "-m", "backend.cli", "demo", "--channel", channel]
    ports = ["--web-port", str(web_port), "--emulator-port", str(emulator_port)]
    ports += ["--bot-port", str(bot_port)]
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, *ports],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_environment(folder, web_port, emulator_port, bot_port),
        )
    while READY not in log.read_text():
        if process.poll() is not None or time.monotonic() - started > START_UP_LIMIT:
            stop_process(process)
            pytest.fail(f"the demo did not start:\n{log.read_text()[-5000:]}")
        time.sleep(0.2)
    output = log.read_text()
    urls = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{emulator_port}"
    return Demo(process, *urls, output, time.monotonic() - started)


def _posted_today(folder: Path) -> tuple[bool, Settings]:
    """Tell whether last month's reports are due by now, with settings for the demo's database."""
    settings = load_settings(**TEST_WECOM, DATABASE_URL=f"sqlite:///{folder / 'lvzhi.db'}")
    today = datetime.now(settings.timezone).date()
    engine = make_engine(settings.DATABASE_URL)
    with Session(engine) as session:
        month = last_complete("month", today)
        month_open = posting.first_workday_reached(session, period=month, today=today)
    engine.dispose()
    return month_open, settings


def _outbox_rows(settings: Settings) -> int:
    engine = make_engine(settings.DATABASE_URL)
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    engine.dispose()
    return count


def _every_group_got_its_posts(demo: Demo, per_group: int) -> None:
    directory = requests.get(demo.emulator_url + "/_emulator/directory", timeout=10).json()
    groups = [("chatid", c["chatid"]) for c in directory["appchats"]]
    groups += [("robot", r["key"]) for r in directory["robots"]]
    assert len(groups) == 14
    for kind, name in groups:
        url = f"{demo.emulator_url}/_emulator/messages?{kind}={name}"
        messages = requests.get(url, timeout=10).json()["messages"]
        assert len(messages) == per_group, name


def _see_charts_and_files(page, demo: Demo, month_open: bool, artifacts: Path) -> None:
    page.goto(demo.emulator_url + "/")
    for kind in ("chat:", "robot:"):  # one app group chat, one group-robot chat
        page.locator(f'.group-item[data-target^="{kind}"]').first.click()
        log = page.locator("#group-log")
        chart = log.locator(".group-post img").first
        chart.wait_for(timeout=15_000)
        loaded = "img => img.complete && img.naturalWidth > 0"
        page.wait_for_function(loaded, arg=chart.element_handle())
        assert "履职周报" in log.locator(".group-post .markdown").first.inner_text()
        files = log.locator("a.file-link")
        if month_open:
            files.filter(has_text=".pdf").first.wait_for(timeout=15_000)
            files.filter(has_text=".xlsx").first.wait_for(timeout=15_000)
        else:
            assert files.count() == 0
        page.locator("#group-panel").screenshot(path=str(artifacts / f"demo-{kind[:-1]}.png"))


def _see_public_forms(page, demo: Demo) -> None:
    page.goto(demo.printed_url("/q/"))
    assert page.get_by_role("button", name="提交评价").is_visible()
    page.goto(demo.printed_url("/s/"))
    assert page.locator("h1").inner_text() == SURVEY_TITLE
    assert page.locator("#q-1 input[type=radio]").count() == 5


def test_the_demo_starts_with_every_group_chat_filled(tmp_path, page, artifacts):
    had_env_file = (PROJECT_ROOT / ".env").exists()
    demo = start_demo(tmp_path, "first")
    try:
        month_open, settings = _posted_today(tmp_path)
        assert "已发到各部门群" in demo.output and "条消息已送达" in demo.output
        _every_group_got_its_posts(demo, per_group=5 if month_open else 2)
        _see_charts_and_files(page, demo, month_open, artifacts)
        _see_public_forms(page, demo)
    finally:
        stop_process(demo.process, timeout=30)
    assert demo.process.returncode == 0, demo.output
    assert (PROJECT_ROOT / ".env").exists() == had_env_file  # the environment configured it
    print(f"first start-up: {demo.seconds:.1f} s")

    # The scheduler's own jobs find nothing left to post for these periods...
    engine = make_engine(settings.DATABASE_URL)
    now = datetime.now(settings.timezone)
    assert weekly_summaries(engine, now=now, settings=settings) == 0
    assert monthly_reports(engine, now=now, settings=settings) == 0
    engine.dispose()
    # ...and neither does a restarted demo, here in long-connection mode.
    rows = _outbox_rows(settings)
    again = start_demo(tmp_path, "again", channel="longconn")
    try:
        assert "成员消息经智能机器人长连接投递" in again.output
        member = requests.get(again.emulator_url + "/_emulator/directory", timeout=10).json()
        # An intranet office's groups are those the bot is in: the app's group chats moved there.
        assert "个部门群改由智能机器人发送" in again.output
        assert member["botgroups"] and not member["appchats"]
        say = {"userid": member["users"][0]["userid"], "text": "帮助"}
        answer = requests.post(again.emulator_url + "/_emulator/say", json=say, timeout=30).json()
        assert answer["replies"][0]["channel"] == "bot"
        assert "履职助手可以为您做这些事" in answer["replies"][0]["content"]
    finally:
        stop_process(again.process, timeout=30)
    assert "此前已发到各部门群，不再重发" in again.output
    assert "正在生成" not in again.output and _outbox_rows(settings) == rows
    print(f"restart: {again.seconds:.1f} s")
