"""Report jobs render without SQLite's write lock: a member's chat message that must write is
answered while a report job is held in the middle of its rendering step."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from backend.models import Job, JobRun
from scheduled.reports import monthly_reports
from tests.support.chat import Member
from tests.support.reports import run_report_jobs

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHAT_LIMIT = 5.0  # seconds WeCom waits for an answer


class PauseAtRendering(logging.Handler):
    """Hold the job's thread at its "rendering <key>" log line until the test releases it."""

    def __init__(self, prefix: str) -> None:
        super().__init__(logging.INFO)
        self.prefix = prefix
        self.reached, self.resume = threading.Event(), threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(self.prefix) and not self.reached.is_set():
            self.reached.set()
            self.resume.wait(60)


@pytest.fixture
def pause_at():
    """Return a function that installs a PauseAtRendering on a report module's logger."""
    installed: list[tuple[logging.Logger, PauseAtRendering, int]] = []

    def install(logger_name: str, prefix: str) -> PauseAtRendering:
        logger, handler = logging.getLogger(logger_name), PauseAtRendering(prefix)
        installed.append((logger, handler, logger.level))
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        return handler

    yield install
    for logger, handler, level in installed:
        handler.resume.set()
        logger.removeHandler(handler)
        logger.setLevel(level)


def _in_thread(work) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # reported by the test after join
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def _answered_while_paused(pause: PauseAtRendering, job: threading.Thread, member, text: str):
    """Send `text` while the job is paused mid-render; return the reply, or None if it waited."""
    assert pause.reached.wait(60), "the report job never reached its rendering step"
    chat, reply = _in_thread(lambda: member.says(text))
    try:
        chat.join(CHAT_LIMIT)
        assert job.is_alive(), "the job must still be rendering while the member is answered"
        return None if chat.is_alive() else reply
    finally:
        pause.resume.set()
        job.join(120)
        chat.join(60)


def test_a_chat_request_is_answered_while_the_monthly_report_renders(sqlite_stack, pause_at):
    stack = sqlite_stack
    dave = Member(stack.emulator.url, "dave")
    pause = pause_at("backend.reports.posting", "rendering monthly:")
    now = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)  # October's reports are due
    job, posted = _in_thread(
        lambda: monthly_reports(stack.engine, now=now, settings=stack.settings)
    )
    reply = _answered_while_paused(pause, job, dave, "本月报告")
    assert reply is not None, "the chat answer waited for the report job's write lock"
    assert "已收到" in reply["value"][0]
    assert posted.get("error") is None and posted["value"] == 2  # the two department groups
    with Session(stack.engine) as session:
        keys = session.exec(select(JobRun.key).where(JobRun.status == "done")).all()
        assert len(session.exec(select(Job)).all()) == 1  # dave's request was queued as a job
    assert sorted(k.split(":")[0] for k in keys) == ["monthly", "monthly"]
    assert monthly_reports(stack.engine, now=now, settings=stack.settings) == 0  # once


def test_a_member_is_answered_while_a_requested_report_renders(sqlite_stack, pause_at):
    stack = sqlite_stack
    dave = Member(stack.emulator.url, "dave")
    assert "已收到" in dave.says("本月报告")[0]
    pause = pause_at("backend.reports.requests", "rendering report job")
    job, posted = _in_thread(lambda: run_report_jobs(stack.engine, stack.settings))
    reply = _answered_while_paused(pause, job, dave, "本周汇总")
    assert reply is not None, "the chat answer waited for the report job's write lock"
    assert "已收到" in reply["value"][0]
    assert posted.get("error") is None and posted["value"] == 2  # the PDF and the XLSX
    with Session(stack.engine) as session:
        statuses = session.exec(select(Job.payload, Job.status)).all()
    kinds = sorted((json.loads(payload)["kind"], str(status)) for payload, status in statuses)
    assert kinds == [("monthly", "done"), ("weekly", "done")]  # queued meanwhile, run next
