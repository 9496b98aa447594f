"""Roster and duty-list imports from the console: template download, upload, run as a job."""

from __future__ import annotations

import io

from flask import abort, send_file

from backend.console import blueprint
from backend.console.access import require_role
from backend.console.jobs import MIMETYPES, start_job
from backend.console.uploads import uploaded_workbook
from backend.excel.templates import TEMPLATES, template_bytes
from backend.runtime import runtime
from backend.web_guards import accepts_upload

KINDS = {"roster": "import_roster", "duties": "import_duties"}


@blueprint.get("/templates/<kind>.xlsx")
@require_role("admin")
def import_template(kind: str):
    """Download an import template."""
    if kind not in TEMPLATES:
        abort(404, description="没有这个模板")
    filename, data = template_bytes(kind)
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[".xlsx"], as_attachment=True,
                     download_name=filename)  # fmt: skip


@blueprint.post("/imports/<kind>")
@accepts_upload
@require_role("admin")
def import_start(kind: str):
    """Take an uploaded workbook and queue its import as a job."""
    if kind not in KINDS:
        abort(404, description="没有这种导入")
    data = uploaded_workbook()
    payload = {"max_rows": runtime().settings.LVZHI_IMPORT_MAX_ROWS}
    return start_job(KINDS[kind], payload, data)
