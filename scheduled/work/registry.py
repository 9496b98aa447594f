"""Job kinds as data: each kind's name → the function that runs it and where its page leads.

A function is `run(engine, job, progress) -> JobResult`; `progress(done, total, text=None)`
records how far it got. It must not hold a write transaction while it parses or renders.
Only the runner imports this module (it pulls in every area the jobs touch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.jobs.service import JobResult
from backend.reports import requests
from backend.schedule.approvals import JOB_KIND as APPROVAL_SYNC
from scheduled.work import approvals, contacts, exports, imports


@dataclass(frozen=True)
class JobKind:
    """One kind of long work."""

    run: Callable[..., JobResult]
    back: str = "/console/jobs"  # where the job page's 返回 link goes after a crash


KINDS: dict[str, JobKind] = {
    "import_roster": JobKind(imports.run_roster_import, "/console/org"),
    "import_duties": JobKind(imports.run_duty_import, "/console/catalogue"),
    "import_output": JobKind(imports.run_output_import, "/console/staffing/"),
    "import_survey": JobKind(imports.run_survey_import, "/console/surveys/"),
    "import_calendar": JobKind(imports.run_calendar_import, "/console/schedule/calendar"),
    "export_entries": JobKind(exports.run_export, "/console/exports"),
    "export_summary": JobKind(exports.run_export, "/console/exports"),
    "report_download": JobKind(exports.run_report_download, "/console/reports"),
    requests.JOB_KIND: JobKind(requests.run_report_request),
    "evaluation_result": JobKind(exports.run_evaluation_result, "/console/evaluation/"),
    "wecom_sync": JobKind(contacts.run_contact_sync, "/console/org"),
    APPROVAL_SYNC: JobKind(approvals.run_approval_sync, "/console/schedule/absences"),
}
