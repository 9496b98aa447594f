"""Export jobs: entries and summaries to Excel, the console's report downloads, round results.

The rows are read in one read transaction (a snapshot that never takes SQLite's write lock);
the workbook is written to a spooled temporary file and stored as the job's result.
"""

from __future__ import annotations

import tempfile
from datetime import date

from sqlalchemy.engine import Engine

from backend.db import reading
from backend.entries.export import export_entries, export_summary
from backend.entries.filters import filters_from
from backend.evaluation.results import files as results_files
from backend.evaluation.results import texts as results_texts
from backend.jobs.service import ClaimedJob, JobResult
from backend.reports.periods import parse_period
from backend.reports.service import ReportOptions, report_download

SPOOL_BYTES = 16 * 1024 * 1024


def run_export(engine: Engine, job: ClaimedJob, progress) -> JobResult:
    """Write the entries (or a summary) the filters select to an .xlsx file."""
    kind, filters = job.payload["kind"], filters_from(job.payload["filters"])
    zone = job.run_settings.timezone
    progress(0, 0, "正在导出…")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as buffer:
        with reading(engine) as session:
            if kind == "entries":
                rows = export_entries(session, filters, buffer, zone=zone, progress=progress)
            else:
                rows = export_summary(session, filters, kind, buffer)
        buffer.seek(0)
        data = buffer.read()
    body = {"rows": rows, "back": "/console/exports"}
    return JobResult(body, job.payload["filename"], data)


def run_report_download(engine: Engine, job: ClaimedJob, progress) -> JobResult:
    """Render one weekly, monthly or county report file for the console's download."""
    payload = job.payload
    today = date.fromisoformat(payload["today"])
    period = parse_period(payload["period_kind"], payload["period"], today=today)
    options = ReportOptions.from_settings(job.run_settings)
    progress(0, 0, "正在生成报告…")
    with reading(engine) as session:
        filename, data = report_download(
            session,
            kind=payload["file"],
            period=period,
            today=today,
            options=options,
            department_id=payload.get("department_id"),
        )
    return JobResult({"text": "报告已生成", "back": "/console/reports"}, filename, data)


def run_evaluation_result(engine: Engine, job: ClaimedJob, progress) -> JobResult:
    """Render an evaluation round's 专报, a unit's feedback report or the quarterly summary."""
    progress(0, 0, results_texts.JOB_RUNNING)
    with reading(engine) as session:
        filename, data = results_files.render(session, job.payload)
    return JobResult(
        {"text": results_texts.JOB_DONE, "back": "/console/evaluation/"}, filename, data
    )
