"""Truncated or corrupt .xlsx files give a clear failed job in Chinese, never a crash.

In read-only mode openpyxl opens a workbook whose sheet XML is cut short and fails only while
reading rows; every reader (roster, duty list, holiday list, survey template) goes through one
guard, `excel.reader.sheet_values`.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from backend.db import reading, writing
from backend.excel.reader import WorkbookError
from backend.jobs import service
from backend.models import Job
from backend.org.roster_import import read_roster
from backend.schedule.calendar import CalendarError, read_holiday_rows
from backend.surveys.excel import TemplateErrors, parse_template, template_xlsx
from scheduled.work.runner import CRASHED, run_due_jobs
from tests.support.excel import GOOD_ROSTER, filled_template, plain_workbook
from tests.support.org import add_small_county

DAMAGED = "损坏"


def truncated(data: bytes, *, keep: float = 0.5) -> bytes:
    """Return the workbook with every sheet's XML cut short (a half-finished upload or save)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                body = body[: int(len(body) * keep)]
            target.writestr(item.filename, body)
    return out.getvalue()


def not_a_workbook() -> bytes:
    """Return a valid zip that holds no workbook at all."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("readme.txt", "hello")
    return out.getvalue()


def test_a_truncated_roster_is_a_workbook_error_in_chinese():
    with pytest.raises(WorkbookError, match=DAMAGED):
        read_roster(truncated(filled_template("roster", GOOD_ROSTER * 20)))
    with pytest.raises(WorkbookError, match="无法读取文件"):
        read_roster(not_a_workbook())


def test_a_truncated_holiday_list_is_a_calendar_error():
    rows = [["日期", "类型", "说明"]] + [[f"2027-01-{d:02d}", "放假", "元旦"] for d in range(1, 29)]
    with pytest.raises(CalendarError, match=DAMAGED):
        read_holiday_rows(truncated(plain_workbook(rows)))


def test_a_truncated_survey_template_lists_the_problem():
    from zoneinfo import ZoneInfo

    with pytest.raises(TemplateErrors) as caught:
        parse_template(truncated(template_xlsx(), keep=0.4), departments={},
                       zone=ZoneInfo("Asia/Shanghai"))  # fmt: skip
    assert any(DAMAGED in problem for problem in caught.value.problems)


def test_a_truncated_upload_fails_its_job_with_the_reason_and_the_runner_goes_on(engine):
    with writing(engine) as session:
        add_small_county(session)
        bad = service.enqueue(
            session,
            kind="import_roster",
            input=truncated(filled_template("roster", GOOD_ROSTER * 20)),
        ).id
        empty_zip = service.enqueue(session, kind="import_roster", input=not_a_workbook()).id
        good = service.enqueue(session, kind="import_roster",
                               input=filled_template("roster", GOOD_ROSTER)).id  # fmt: skip
    assert run_due_jobs(engine) == 3
    with reading(engine) as session:
        jobs = {job_id: session.get(Job, job_id) for job_id in (bad, empty_zip, good)}
        results = {job_id: json.loads(job.message or "{}") for job_id, job in jobs.items()}
        statuses = {job_id: str(job.status) for job_id, job in jobs.items()}
    assert DAMAGED in results[bad]["error"] and results[bad]["error"] != CRASHED
    assert "无法读取文件" in results[empty_zip]["error"]
    assert statuses[bad] == statuses[empty_zip] != statuses[good]
