"""Prometheus metrics: callbacks, the outbox, jobs and backlogs; summed over several workers.

The in-process tests read the app's own registry (values accumulate over the session, so each
test compares before and after). The last test runs `lvzhi serve` with three gunicorn workers and
a real scheduler process on one metrics folder, as production does.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import col, select

from backend.db import reading, writing
from backend.jobs.service import enqueue
from backend.models import OutboxMessage
from backend.models.common import utcnow
from backend.outbox import service as outbox
from backend.outbox.service import OutgoingContent
from backend.settings import SettingsError, load_settings
from tests.support.console import console_app
from tests.support.processes import free_port, stop_process
from tests.support.stack import TEST_WECOM

ROOT = Path(__file__).resolve().parent.parent
LVZHI = Path(sys.executable).parent / "lvzhi"


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Parse an exposition into {(sample name, labels): value}."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _scrape(base_url: str) -> dict:
    answer = requests.get(f"{base_url}/metrics", timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain")
    return _samples(answer.text)


def test_callbacks_are_counted_by_status_and_timed(stack, alice) -> None:
    before = _scrape(stack.web_url)
    alice.says("帮助")
    refused = requests.get(
        f"{stack.web_url}/wecom/callback",
        params={"msg_signature": "0" * 40, "timestamp": "1", "nonce": "n", "echostr": "e"},
        timeout=10,
    )
    assert refused.status_code == 403
    after = _scrape(stack.web_url)
    posted = ("lvzhi_callbacks_total", {"method": "POST", "status": "200"})
    assert _value(after, posted[0], **posted[1]) >= _value(before, posted[0], **posted[1]) + 1
    forged = {"method": "GET", "status": "403"}
    assert _value(after, "lvzhi_callbacks_total", **forged) == (
        _value(before, "lvzhi_callbacks_total", **forged) + 1
    )
    timed = "lvzhi_callback_duration_seconds_count"
    assert _value(after, timed, method="POST") >= _value(before, timed, method="POST") + 1


def test_delivery_failures_are_counted_by_errcode_then_delivered(stack) -> None:
    before = _scrape(stack.web_url)
    with writing(stack.engine) as session:
        outbox.enqueue_to_users(
            session, user_ids=["alice"], content=OutgoingContent("text", {"content": "指标测试"})
        )
    stack.emulator_call("PUT", "/_emulator/faults", json={"busy": True})
    try:
        assert stack.deliver().retried == 1
    finally:
        stack.emulator_call("PUT", "/_emulator/faults", json={"busy": False})
    middle = _scrape(stack.web_url)
    with writing(stack.engine) as session:  # due again at once rather than after the back-off
        session.get(OutboxMessage, _pending_id(session)).next_attempt_at = utcnow()
    assert stack.deliver().sent == 1
    after = _scrape(stack.web_url)
    busy = {"channel": "app", "errcode": "-1", "outcome": "retry"}
    failures = "lvzhi_outbox_delivery_failures_total"
    assert _value(middle, failures, **busy) == _value(before, failures, **busy) + 1
    delivered = "lvzhi_outbox_delivered_total"
    assert _value(after, delivered, channel="app") == _value(before, delivered, channel="app") + 1
    queued = "lvzhi_outbox_queued_total"
    assert _value(after, queued, channel="app") == _value(before, queued, channel="app") + 1


def _pending_id(session) -> int:
    rows = session.exec(select(OutboxMessage.id).where(col(OutboxMessage.sent_at).is_(None))).all()
    assert len(rows) == 1
    return rows[0]


def test_backlogs_are_read_from_the_database_at_scrape_time(engine) -> None:
    client = console_app(engine).test_client()
    empty = _samples(client.get("/metrics").get_data(as_text=True))
    assert _value(empty, "lvzhi_outbox_pending") == 0
    assert _value(empty, "lvzhi_outbox_oldest_due_seconds") == 0
    with writing(engine) as session:
        for minutes in (0, 5):
            session.add(_waiting(next_attempt_at=utcnow() - timedelta(minutes=minutes)))
        session.add(_waiting(next_attempt_at=utcnow() + timedelta(hours=1)))  # not due yet
        enqueue(session, kind="export", payload={})
    figures = _samples(client.get("/metrics").get_data(as_text=True))
    assert _value(figures, "lvzhi_outbox_pending") == 3
    assert 290 <= _value(figures, "lvzhi_outbox_oldest_due_seconds") <= 900
    assert _value(figures, "lvzhi_jobs_queued") == 1


def _waiting(**fields) -> OutboxMessage:
    return OutboxMessage(channel="app", target="{}", msgtype="text", payload="{}", **fields)


def test_metrics_answer_only_the_allowed_networks(engine) -> None:
    client = console_app(engine).test_client()
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 404
    assert "lvzhi_" not in outside.get_data(as_text=True)


@pytest.mark.parametrize("allow", ["10.0.0.0/33", "intranet", "127.0.0.1/32,,x"])
def test_a_malformed_metrics_allow_list_is_refused_at_start(allow: str) -> None:
    with pytest.raises(SettingsError, match="LVZHI_METRICS_ALLOW"):
        load_settings(LVZHI_METRICS_ALLOW=allow, **TEST_WECOM)


def _environment(stack, metrics_dir: Path, web_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LVZHI_", "WECOM_"))}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update({k: str(v) for k, v in TEST_WECOM.items()})
    env.update(
        DATABASE_URL=stack.settings.DATABASE_URL,
        WECOM_API_BASE=stack.settings.WECOM_API_BASE,
        PUBLIC_BASE_URL=web_url,
        LVZHI_METRICS_DIR=str(metrics_dir),
        LVZHI_SCHEDULER_TICK_SECONDS="0.5",
        LVZHI_SCHEDULER_LEASE_SECONDS="3",
        LVZHI_LOG_FORMAT="json",
        PYTHONPATH=str(ROOT),
    )
    return env


def _wait_for(predicate, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _workers(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    return [int(pid) for pid in children.split()]


def _sent(engine) -> int:
    with reading(engine) as session:
        sent = session.exec(select(OutboxMessage.id).where(col(OutboxMessage.sent_at).isnot(None)))
        return len(sent.all())


def test_every_worker_and_the_scheduler_add_up_in_one_scrape(sqlite_stack, tmp_path) -> None:
    port = free_port()
    web_url = f"http://127.0.0.1:{port}"
    env = _environment(sqlite_stack, tmp_path / "metrics", web_url)
    with writing(sqlite_stack.engine) as session:
        outbox.enqueue_to_users(
            session, user_ids=["alice"], content=OutgoingContent("text", {"content": "调度投递"})
        )
    logs = [open(tmp_path / f"{name}.log", "w") for name in ("web", "scheduler")]  # noqa: SIM115
    command = [str(LVZHI), "serve", "--port", str(port), "--workers", "3"]
    web = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=logs[0], stderr=subprocess.STDOUT)
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "scheduled"],
        env=env,
        cwd=tmp_path,
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(lambda: requests.get(f"{web_url}/livez", timeout=2).ok, "lvzhi serve")
        _wait_for(lambda: len(_workers(web.pid)) == 3, "three workers")
        forged = {"msg_signature": "0" * 40, "timestamp": "1", "nonce": "n", "echostr": "e"}
        forged["access_token"] = "leaked-token-value"  # must not reach the access log
        for _ in range(40):  # a new connection each: the workers share the listening socket
            requests.get(f"{web_url}/wecom/callback", params=forged, timeout=5)
        originals = _workers(web.pid)
        for pid in originals:  # every worker restarted: what they counted stays counted
            os.kill(pid, signal.SIGTERM)
        _wait_for(
            lambda: not set(originals) & set(_workers(web.pid)) and len(_workers(web.pid)) == 3,
            "three new workers",
        )
        for _ in range(5):  # whichever worker answers the scrape, the totals are the same
            samples = _scrape(web_url)
            assert _value(samples, "lvzhi_callbacks_total", method="GET", status="403") == 40
        delivered = 'lvzhi_outbox_delivered_total{channel="app"}'
        _wait_for(lambda: delivered in requests.get(f"{web_url}/metrics", timeout=5).text, "send")
        samples = _scrape(web_url)
        _wait_for(  # ours and whatever the jobs queued meanwhile, once the count is steady
            lambda: (
                _sent(sqlite_stack.engine)
                == _value(_scrape(web_url), "lvzhi_outbox_delivered_total", channel="app")
                == _sent(sqlite_stack.engine)
            ),
            "delivered total equal to the rows sent",
        )
        ticks = [
            value
            for (name, labels), value in samples.items()
            if name == "lvzhi_job_duration_seconds_count" and ("job", "reminders") in labels
        ]
        assert ticks and ticks[0] >= 1, sorted({name for name, _ in samples})
        recorded = {path.name.rsplit("_", 1)[-1] for path in (tmp_path / "metrics").glob("*.db")}
        assert len(recorded) >= 2  # files of more than one process
    finally:
        stop_process(web)
        stop_process(scheduler)
        for log in logs:
            log.close()
    for name in ("web", "scheduler"):
        _assert_json_lines((tmp_path / f"{name}.log").read_text(encoding="utf-8"))


def _assert_json_lines(text: str) -> None:
    """Every line is one JSON record with time, level, logger and message; no token shows."""
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert records, "nothing was logged"
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record), record
    assert "leaked-token-value" not in text
