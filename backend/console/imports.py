"""Roster and duty-list imports from the console: template download, upload, background run."""

from __future__ import annotations

import io
import json

from flask import abort, redirect, request, send_file, url_for

from backend.console import blueprint
from backend.console.access import current_account, require_role
from backend.console.tasks import XLSX, Outcome, start_task
from backend.db import session_scope
from backend.excel.duties import import_duties
from backend.excel.reader import WorkbookError
from backend.excel.roster import import_roster
from backend.excel.templates import TEMPLATES, template_bytes
from backend.runtime import runtime
from backend.services.accounts import record_audit

MAX_UPLOAD = 5 * 1024 * 1024
IMPORTERS = {"roster": import_roster, "duties": import_duties}
BACK = {"roster": "/console/org", "duties": "/console/catalogue"}


@blueprint.get("/templates/<kind>.xlsx")
@require_role("admin")
def import_template(kind: str):
    """Download an import template."""
    if kind not in TEMPLATES:
        abort(404, description="没有这个模板")
    filename, data = template_bytes(kind)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=filename)


@blueprint.post("/imports/<kind>")
@require_role("admin")
def import_start(kind: str):
    """Take an uploaded workbook and import it in the background."""
    if kind not in IMPORTERS:
        abort(404, description="没有这种导入")
    data = _uploaded_bytes()
    account = current_account()
    task_id = start_task(kind=f"import_{kind}", account=account, work=_work(kind, data, account))
    return redirect(url_for("console.task_page", task_id=task_id))


def _uploaded_bytes() -> bytes:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, description="请选择要上传的 Excel 文件")
    if not upload.filename.lower().endswith(".xlsx"):
        abort(400, description="只支持 .xlsx 文件，请使用后台提供的模板")
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        abort(400, description="文件超过 5 MB，请分批导入")
    return data


def _work(kind: str, data: bytes, account):
    engine = runtime().engine

    def work(progress) -> Outcome:
        progress(0, 0, json.dumps({"text": "正在读取并校验每一行…"}, ensure_ascii=False))
        try:
            with session_scope(engine) as db:
                report = IMPORTERS[kind](db, data)
                if report.applied:
                    detail = json.dumps(report.as_dict(), ensure_ascii=False)
                    record_audit(db, account=account, action=f"import_{kind}", target=kind,
                                 detail=detail)  # fmt: skip
                else:
                    db.rollback()
        except WorkbookError as exc:
            return Outcome(_message({"error": str(exc)}), failed=True)
        return Outcome(_message({"report": report.as_dict(), "rows": report.rows}))

    def _message(body: dict) -> str:
        return json.dumps({**body, "back": BACK[kind]}, ensure_ascii=False)

    return work
