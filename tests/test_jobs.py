"""The job runner: claims and leases on the database's clock, crash recovery, progress, errors."""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import time
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from backend.db import db_now, reading, writing
from backend.jobs import queries, service
from backend.jobs.service import JobResult
from backend.models import Job, JobStatus, utcnow
from backend.settings import load_settings
from scheduled.work import runner
from tests.support.console import add_account, console_app, login_client
from tests.support.excel import GOOD_ROSTER, filled_template
from tests.support.org import add_small_county
from tests.support.stack import TEST_WECOM

SETTINGS = load_settings(**TEST_WECOM)


@pytest.fixture
def county(engine):
    with writing(engine) as session:
        add_small_county(session)
    return engine


def queue(engine, kind: str = "import_roster", data: bytes | None = None, **payload) -> int:
    with writing(engine) as session:
        return service.enqueue(session, kind=kind, payload=payload, input=data).id


def stored(engine, job_id: int) -> Job:
    with reading(engine) as session:
        return session.get(Job, job_id)


def test_a_claim_leases_the_oldest_job_until_the_databases_clock_says(county):
    first, second = queue(county), queue(county)
    claimed = service.claim_next(county, holder="a", lease_seconds=30)
    assert (claimed.id, claimed.attempts) == (first, 1)
    with reading(county) as session:
        lease_left = session.execute(
            select(Job.lease_expires_at > db_now(29), Job.lease_expires_at < db_now(31)).where(
                Job.id == first
            )
        ).one()
    assert tuple(lease_left) == (True, True)
    assert service.claim_next(county, holder="b", lease_seconds=30).id == second
    assert service.claim_next(county, holder="c", lease_seconds=30) is None


def test_a_crashed_workers_job_is_run_again_once_then_failed(county):
    job_id = queue(county, data=filled_template("roster", GOOD_ROSTER))
    service.claim_next(county, holder="died", lease_seconds=30)
    assert service.recover_expired(county, max_attempts=2) == 0  # its lease still runs
    _expire(county, job_id)
    assert runner.run_due_jobs(county, settings=SETTINGS, holder="alive") == 1
    job = stored(county, job_id)
    assert job.status == JobStatus.DONE and job.attempts == 2 and job.input is None
    assert json.loads(job.message)["report"]["created"] == 3
    # A second crash of a job already tried twice fails it with a message the console shows.
    again = queue(county, data=b"PK")
    for holder in ("first", "second"):
        service.claim_next(county, holder=holder, lease_seconds=30)
        _expire(county, again)
        service.recover_expired(county, max_attempts=2)
    job = stored(county, again)
    assert job.status == JobStatus.FAILED and "中断" in json.loads(job.message)["error"]


def _expire(engine, job_id: int) -> None:
    with writing(engine) as session:
        session.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=db_now(-1)))


def test_a_result_from_a_runner_that_lost_its_lease_is_dropped(county):
    job_id = queue(county)
    service.claim_next(county, holder="slow", lease_seconds=30)
    _expire(county, job_id)
    service.recover_expired(county, max_attempts=2)
    service.claim_next(county, holder="new", lease_seconds=30)
    assert not service.finish(county, job_id=job_id, holder="slow", result=JobResult({"x": 1}))
    assert not service.renew_lease(county, job_id=job_id, holder="slow", lease_seconds=30)
    assert service.renew_lease(county, job_id=job_id, holder="new", lease_seconds=30)


def test_progress_is_recorded_and_shown_as_a_percentage(county):
    job_id = queue(county)
    service.claim_next(county, holder="me", lease_seconds=30)
    progress = runner.Progress(county, job_id, "me")
    progress(0, 400, "正在写入…")
    progress(100, 400)  # within PROGRESS_EVERY of the last write: skipped
    time.sleep(runner.PROGRESS_EVERY)
    progress(200, 400)
    state = queries.job_state(stored(county, job_id))
    assert (state["done"], state["total"], state["percent"]) == (200, 400, 50)
    assert state["message"]["text"] == "正在写入…" and state["status_label"] == "处理中"


def test_row_errors_are_capped_in_the_report(county):
    bad = [["县财政局", "", f"人员{i}", f"user{i}", "机关行政编制"] for i in range(250)]
    job_id = queue(county, data=filled_template("roster", bad))
    runner.run_due_jobs(county, settings=SETTINGS)
    report = json.loads(stored(county, job_id).message)["report"]
    assert not report["applied"] and report["error_count"] == 250
    assert len(report["errors"]) == 200 and report["more_errors"] == 50


def test_an_unreadable_upload_and_an_unknown_kind_fail_with_a_reason(county):
    broken = queue(county, data=b"not a zip")
    unknown = queue(county, kind="no_such_kind")
    assert runner.run_due_jobs(county, settings=SETTINGS) == 2
    assert "无法读取文件" in json.loads(stored(county, broken).message)["error"]
    assert "未知的任务类型" in json.loads(stored(county, unknown).message)["error"]
    assert {stored(county, i).status for i in (broken, unknown)} == {JobStatus.FAILED}


def test_the_row_limit_refuses_a_longer_file(county):
    job_id = queue(county, data=filled_template("roster", GOOD_ROSTER), max_rows=2)
    runner.run_due_jobs(county, settings=SETTINGS)
    assert "行数超过 2 行" in json.loads(stored(county, job_id).message)["error"]


def _zip_of(name: str, size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"\0" * size)
    return buffer.getvalue()


def test_uploads_are_bounded_before_anything_is_parsed_or_queued(county):
    app = console_app(county, LVZHI_UPLOAD_MAX_BYTES=64 * 1024,
                      LVZHI_UPLOAD_MAX_UNZIPPED_BYTES=1024 * 1024)  # fmt: skip
    add_account(county, "admin", "admin-pass-123", "admin")
    client = app.test_client()
    token = login_client(client, "admin", "admin-pass-123")

    def upload(data: bytes):
        form = {"csrf_token": token, "file": (io.BytesIO(data), "名册.xlsx")}
        return client.post("/console/imports/roster", data=form, content_type="multipart/form-data")

    too_big = upload(b"PK" + b"x" * 70 * 1024)
    assert too_big.status_code == 413 and "文件超过" in too_big.get_data(as_text=True)
    bomb = upload(_zip_of("xl/worksheets/sheet1.xml", 2 * 1024 * 1024))
    assert bomb.status_code == 400 and "解压后超过 1 MB" in bomb.get_data(as_text=True)
    with reading(county) as session:
        assert session.execute(select(Job.id)).first() is None  # nothing was queued
    assert upload(filled_template("roster", GOOD_ROSTER)).status_code == 302


def test_a_long_cell_refuses_the_file_with_its_place(county):
    rows = [[*GOOD_ROSTER[0][:5], "长" * 3000]]
    job_id = queue(county, data=filled_template("roster", rows))
    runner.run_due_jobs(county, settings=SETTINGS)
    assert "第 2 行“职务”超过 2000 字" in json.loads(stored(county, job_id).message)["error"]


def test_finished_jobs_and_their_files_go_after_their_retention_in_batches(engine):
    ages = {"old": 8, "older": 30, "recent": 1}
    ids = {}
    with writing(engine) as session:
        for name, days in ages.items():
            job = service.enqueue(session, kind="export", input=b"x" * 1000)
            job.status, job.result = JobStatus.DONE, b"report" * 100
            job.finished_at = utcnow() - timedelta(days=days)
            ids[name] = job.id
        ids["queued"] = service.enqueue(session, kind="export", input=b"upload").id
    assert service.prune_finished(engine, older_than=timedelta(days=7), batch=1) == 2
    with reading(engine) as session:
        left = set(session.execute(select(Job.id)).scalars())
    assert left == {ids["recent"], ids["queued"]}


def test_the_job_retention_is_a_setting():
    settings = load_settings(**TEST_WECOM, LVZHI_JOBS_KEEP_DAYS=3)
    assert runner._keep_finished(settings).days == 3
    assert runner._keep_finished(None) == service.KEEP_FINISHED


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are Linux's")
def test_the_job_runner_thread_yields_the_cpu_and_leaves_its_process_alone(engine) -> None:
    stop, started = threading.Event(), threading.Event()
    native: list[int] = []
    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def loop() -> None:
        native.append(threading.get_native_id())
        started.set()
        runner.run_job_loop(engine, stop, poll_seconds=0.05)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    assert started.wait(5)
    try:
        deadline = time.monotonic() + 5
        while os.getpriority(os.PRIO_PROCESS, native[0]) != max(runner.JOB_NICENESS, ours):
            assert time.monotonic() < deadline, "the job runner kept its priority"
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == ours  # unchanged
    finally:
        stop.set()
        thread.join(5)
