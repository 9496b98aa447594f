"""A 200,000-row roster import runs as a job while a member chats: the bot still answers fast.

The job runner runs in a process of its own, as in production (a thread of the scheduler
process): it parses outside any transaction and writes in short batches, so each callback's
write gets SQLite's lock within its turn.
"""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.db import reading
from backend.models import Staff
from tests.support.chat import Member
from tests.support.console import add_account, login_client
from tests.support.excel import large_roster
from tests.support.stack import TEST_WECOM

ROWS = 200_000
CALLBACK_LIMIT = 1.0  # seconds; WeCom itself waits 5
TEXTS = ["帮助", "今天的工作", "你好"]
WAITING = ("queued", "running")
ROOT = Path(__file__).resolve().parent.parent
WORKER = """
import threading
from backend.db import make_engine
from scheduled.work.runner import run_job_loop
from backend.settings import load_settings
settings = load_settings()
run_job_loop(make_engine(settings.DATABASE_URL), threading.Event(), settings=settings,
             poll_seconds=0.2)
"""


@pytest.fixture(scope="module")
def big_roster() -> bytes:
    return large_roster(ROWS)


def _runner(stack) -> subprocess.Popen:
    """Start the job runner in a process of its own, as the scheduler process runs it."""
    env = {**os.environ, **{k: str(v) for k, v in TEST_WECOM.items()},
           "DATABASE_URL": stack.settings.DATABASE_URL,
           "WECOM_API_BASE": stack.settings.WECOM_API_BASE}  # fmt: skip
    return subprocess.Popen([sys.executable, "-c", WORKER], env=env, cwd=ROOT)


def test_a_member_is_answered_within_a_second_while_a_huge_import_runs(sqlite_stack, big_roster):
    stack = sqlite_stack
    add_account(stack.engine, "admin", "admin-pass-123", "admin")
    client = stack.app.test_client()
    token = login_client(client, "admin", "admin-pass-123")
    form = {"csrf_token": token, "file": (io.BytesIO(big_roster), "名册.xlsx")}
    started = time.monotonic()
    response = client.post("/console/imports/roster", data=form, content_type="multipart/form-data")
    assert response.status_code == 302 and time.monotonic() - started < CALLBACK_LIMIT
    job_url = response.headers["Location"]
    alice, latencies, seen = Member(stack.emulator.url, "alice"), [], set()
    worker = _runner(stack)
    # The web server under test runs inside this pytest process, whose heap holds what every
    # earlier test left: a full garbage collection of it would be the harness's pause, not the
    # server's. Freeze what exists now, so collections only look at objects made from here on.
    gc.collect()
    gc.freeze()
    try:
        while (state := client.get(job_url + ".json").get_json())["status"] in (
            "queued",
            "running",
        ):
            seen.add(state["status"] if not state["done"] else "writing")
            began = time.monotonic()
            assert alice.says(TEXTS[len(latencies) % len(TEXTS)]), "the bot did not answer"
            latencies.append(time.monotonic() - began)
            assert time.monotonic() - started < 600, "the import did not finish in 10 minutes"
    finally:
        gc.unfreeze()
        worker.terminate()
        worker.wait(30)
    assert state["status"] == "done", state
    assert {"running", "writing"} <= seen and len(latencies) > 20
    slowest, took = sorted(latencies)[-5:], time.monotonic() - started
    print(f"{len(latencies)} callbacks in {took:.0f} s, slowest {slowest}")
    assert max(latencies) < CALLBACK_LIMIT, slowest
    page = client.get(job_url).get_data(as_text=True)
    assert f"导入成功：共 {ROWS} 行，新增 {ROWS}" in page
    assert "导入人员名册" in client.get("/console/jobs").get_data(as_text=True)
    with reading(stack.engine) as session:
        bulk = select(func.count()).where(Staff.wecom_userid.like("bulk%"))
        assert session.execute(bulk).scalar() == ROWS
