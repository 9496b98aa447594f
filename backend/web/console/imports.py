"""Roster, duty-list and output-data imports from the console: template, upload, run as a job."""

from __future__ import annotations

import io

from flask import abort, send_file

from backend.excel.spec import Spec
from backend.excel.templates import template_bytes
from backend.org.duty_import import DUTY_SPEC
from backend.org.roster_import import ROSTER_SPEC
from backend.runtime import runtime
from backend.schedule.calendar import CALENDAR_SPEC
from backend.staffing.output_import import OUTPUT_SPEC
from backend.web.console import blueprint
from backend.web.console.access import require_role
from backend.web.console.jobs import MIMETYPES, start_job
from backend.web.console.uploads import uploaded_workbook
from backend.web.guards import accepts_upload

KINDS = {"roster": "import_roster", "duties": "import_duties", "output": "import_output"}
TEMPLATES: dict[str, Spec] = {
    "roster": ROSTER_SPEC,
    "duties": DUTY_SPEC,
    "calendar": CALENDAR_SPEC,
    "output": OUTPUT_SPEC,
}


@blueprint.get("/templates/<kind>.xlsx")
@require_role("admin")
def import_template(kind: str):
    """Download an import template."""
    if kind not in TEMPLATES:
        abort(404, description="没有这个模板")
    filename, data = template_bytes(TEMPLATES[kind])
    return send_file(
        io.BytesIO(data), mimetype=MIMETYPES[".xlsx"], as_attachment=True, download_name=filename
    )


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
