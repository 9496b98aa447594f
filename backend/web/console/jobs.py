"""Long work started from the console runs as a job; these pages show its progress and result.

The job is a row (`backend.jobs`), run by the scheduler process, so it survives a web worker
restart and any worker can answer the poll. A web request only queues it.
"""

from __future__ import annotations

import io

from flask import abort, jsonify, redirect, render_template, send_file, url_for

from backend.db import reading, writing
from backend.jobs import queries, service
from backend.models import Job, saved_id
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import require_role, signed_in_account

MIMETYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".md": "text/markdown; charset=utf-8",
}


def start_job(kind: str, payload: dict, data: bytes | None = None):
    """Queue a job for the signed-in account and send the browser to its page."""
    with writing(runtime().engine) as session:
        job = service.enqueue(
            session,
            kind=kind,
            account_id=saved_id(signed_in_account()),
            payload=payload,
            input=data,
        )
        job_id = job.id
    return redirect(url_for("console.job_page", job_id=job_id))


def _own_job(session, job_id: int) -> Job:
    job = queries.job_of_account(session, job_id=job_id, account_id=saved_id(signed_in_account()))
    if job is None:
        abort(404, description="找不到该任务")
    return job


@blueprint.get("/jobs")
@require_role()
def job_list():
    """List the signed-in account's recent jobs."""
    with reading(runtime().engine) as session:
        jobs = queries.recent_jobs(session, account_id=saved_id(signed_in_account()))
    return render_template("console/jobs.html", jobs=jobs)


@blueprint.get("/jobs/<int:job_id>")
@require_role()
def job_page(job_id: int):
    """Show a job's progress (polled by the page) and, when finished, its result."""
    with reading(runtime().engine) as session:
        state = queries.job_state(_own_job(session, job_id))
    return render_template("console/job.html", job=state)


@blueprint.get("/jobs/<int:job_id>.json")
@require_role()
def job_progress(job_id: int):
    """Return a job's progress for polling."""
    with reading(runtime().engine) as session:
        return jsonify(queries.job_state(_own_job(session, job_id)))


@blueprint.get("/jobs/<int:job_id>/download")
@require_role()
def job_download(job_id: int):
    """Send the file a finished job produced."""
    with reading(runtime().engine) as session:
        job = _own_job(session, job_id)
        if job.result is None:
            abort(404, description="文件尚未生成")
        data, name = job.result, job.filename or "download.xlsx"
    mimetype = MIMETYPES.get(name[name.rfind(".") :], "application/octet-stream")
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
