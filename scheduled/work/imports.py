"""Import jobs: roster, duty list and output data, survey template, holiday calendar.

Each reads its upload with the one spec-driven importer (`backend.excel.importer`) and validates
outside any transaction (lookups in a read transaction), then writes.
A roster or duty list of 200,000 rows would hold SQLite's only write lock for many seconds in
one transaction, so those are written in batches of short transactions, pausing between them
so the bot's writes get in. The apply is idempotent (rows are upserted by their key): nothing
is written unless every row passed, and a run cut short (worker died) is simply run again.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator

from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.db import is_sqlite, reading, writing
from backend.excel.reader import MAX_ERRORS_SHOWN, ImportReport, WorkbookError
from backend.jobs.service import ClaimedJob, JobResult
from backend.models import Account, Department, Role, Survey, saved_id
from backend.org import accounts, grants
from backend.org import duty_import as duties
from backend.org import roster_import as roster
from backend.schedule import calendar
from backend.staffing import output_import as output
from backend.surveys import excel as survey_excel
from backend.surveys import service as surveys

BATCH_ROWS = 100  # ≈6 ms of SQLite's write lock per batch: a waiting callback wakes soon
BACK = {"roster": "/console/org", "duties": "/console/catalogue", "output": "/console/staffing/"}
READING = "正在读取并校验每一行…"
WRITING = "校验通过，正在写入…"


def _batches(rows: list, size: int = BATCH_ROWS) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _yield_lock(engine: Engine, held: float) -> None:
    """Pause after a batch so writers waiting for SQLite's lock get it (PostgreSQL: no wait).

    The pause varies so it never falls in step with SQLite's busy-handler retries.
    """
    if is_sqlite(engine):
        _checkpoint(engine)
        time.sleep(max(0.01, held) * random.uniform(1.0, 2.0))


def _checkpoint(engine: Engine) -> None:
    """Copy the WAL into the database here, so a callback's commit never inherits a big one."""
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None  # a pooled connection is always open here
        driver.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        raw.close()


def _audit(engine: Engine, job: ClaimedJob, action: str, target: str, detail: str = "") -> None:
    with writing(engine) as session:
        account = session.get(Account, job.account_id) if job.account_id else None
        accounts.record_audit(session, account=account, action=action, target=target, detail=detail)


def _max_rows(job: ClaimedJob) -> int:
    return int(job.payload.get("max_rows") or 0) or 200_000


def _table_import(kind: str, read, validate, apply_batches) -> Callable:
    """Build the job function of a row import (read → validate → batched idempotent writes)."""

    def run(engine: Engine, job: ClaimedJob, progress) -> JobResult:
        progress(0, 0, READING)
        try:
            parsed = read(job.input or b"", max_rows=_max_rows(job))
        except WorkbookError as exc:
            return JobResult({"error": str(exc), "back": BACK[kind]}, failed=True)
        with reading(engine) as session:
            valid, report = validate(session, parsed)
        extra = {}
        if not report.errors:
            progress(0, len(valid), WRITING)
            extra = apply_batches(engine, valid, report, progress, job)
            detail = json.dumps({**report.as_dict(max_errors=0), **extra}, ensure_ascii=False)
            _audit(engine, job, f"import_{kind}", kind, detail)
        body = {"report": report.as_dict(), "rows": report.rows, "back": BACK[kind], **extra}
        return JobResult(body)

    return run


def _write_batches(engine: Engine, valid: list, progress, write) -> None:
    done = 0
    for batch in _batches(valid):
        started = time.monotonic()
        with writing(engine) as session:
            write(session, batch)
        done += len(batch)
        progress(done, len(valid))
        _yield_lock(engine, time.monotonic() - started)


def _apply_roster(engine: Engine, valid: list, report: ImportReport, progress, job) -> dict:
    with writing(engine) as session:
        sections = roster.ensure_sections(session, valid)
    _write_batches(
        engine, valid, progress, lambda s, batch: roster.write_roster(s, batch, sections, report)
    )
    return _request_grants(engine, valid, job)


def _request_grants(engine: Engine, valid: list, job: ClaimedJob) -> dict:
    """Record the roles beyond staff that the rows name as grants awaiting confirmation."""
    with reading(engine) as session:
        waiting = grants.pending_userids(session)
    rows = [row for row in valid if row.role != Role.STAFF or row.userid in waiting]
    asked = 0
    for batch in _batches(rows):
        started = time.monotonic()
        with writing(engine) as session:
            asked += roster.request_role_grants(session, batch, requested_by=job.account_id)
        _yield_lock(engine, time.monotonic() - started)
    return {"pending_grants": asked} if asked else {}


def _apply_duties(engine: Engine, valid: list, report: ImportReport, progress, job) -> dict:
    _write_batches(engine, valid, progress, lambda s, batch: duties.write_duties(s, batch, report))
    with writing(engine) as session:
        duties.deactivate_missing(session, valid, report)
    return {}


run_roster_import = _table_import(
    "roster", roster.read_roster, roster.validate_roster, _apply_roster
)
run_duty_import = _table_import("duties", duties.read_duties, duties.validate_duties, _apply_duties)


def _apply_output(engine: Engine, valid: list, report: ImportReport, progress, job) -> dict:
    _write_batches(engine, valid, progress, lambda s, batch: output.write_output(s, batch, report))
    return {}


run_output_import = _table_import(
    "output", output.read_output, output.validate_output, _apply_output
)


def run_survey_import(engine: Engine, job: ClaimedJob, progress) -> JobResult:
    """Create a draft survey (or replace a draft's questions) from an uploaded template."""
    progress(0, 0, "正在读取问卷模板…")
    survey_id = job.payload.get("survey_id")
    back = f"/console/surveys/{survey_id}" if survey_id else "/console/surveys/"
    with reading(engine) as session:
        rows = session.exec(select(Department.name, Department.id)).all()
    departments = {name: department_id for name, department_id in rows if department_id is not None}
    try:
        spec = survey_excel.parse_template(
            job.input or b"", departments=departments, zone=job.run_settings.timezone
        )
    except survey_excel.TemplateErrors as errors:
        shown = errors.problems[:MAX_ERRORS_SHOWN]
        body = {"problems": shown, "more_errors": len(errors.problems) - len(shown), "back": back}
        return JobResult(body, failed=True)
    try:
        survey_id = _store_survey(engine, job, spec, survey_id)
    except surveys.SurveyLocked as locked:
        return JobResult({"error": str(locked), "back": back}, failed=True)
    text = "题目已更新。" if job.payload.get("survey_id") else "问卷已导入为草稿，请核对后发布。"
    return JobResult({"text": text, "link": f"/console/surveys/{survey_id}", "back": back})


def _store_survey(engine: Engine, job: ClaimedJob, spec, survey_id: int | None) -> int:
    with writing(engine) as session:
        account = session.get(Account, job.account_id) if job.account_id else None
        if survey_id is None:
            survey, action = surveys.create_survey(session, spec=spec), "survey.import"
        else:
            survey, action = session.get_one(Survey, survey_id), "survey.replace"
            surveys.update_survey(session, survey=survey, spec=spec, questions=True)
        session.flush()
        accounts.record_audit(
            session, account=account, action=action, target=f"survey:{survey.id} {survey.title}"
        )
        return saved_id(survey)


def run_calendar_import(engine: Engine, job: ClaimedJob, progress) -> JobResult:
    """Save a year's holiday list (日期 | 放假/上班 | 说明) as calendar overrides."""
    back = "/console/schedule/calendar"
    try:
        rows = calendar.read_holiday_rows(job.input or b"")
    except calendar.CalendarError as error:
        return JobResult({"error": str(error), "back": back}, failed=True)
    with writing(engine) as session:
        for day, workday, note in rows:
            calendar.set_override(session, day=day, is_workday=workday, note=note)
    years = sorted({day.year for day, _, _ in rows})
    shown = "、".join(str(y) for y in years)
    _audit(engine, job, "calendar.import", shown)
    text = f"已导入{len(rows)}天（{shown}年）"
    return JobResult({"text": text, "back": f"{back}?year={years[0]}"})
