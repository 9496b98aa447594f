"""Console pages for the problem ledger (/console/ledger): findings, rectification, follow-up.

Admins (the evaluators) record findings and do the follow-up check; a unit's head commits the
measure and deadline and files the rectification report for their own units only.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from backend.common.values import parse_day, parse_int
from backend.db import writing
from backend.evaluation.queries import list_rounds, round_by_id
from backend.ledger import attachments, export, queries, rules, service, texts
from backend.ledger.errors import LedgerError
from backend.models.evaluation import AttachmentKind
from backend.models.ledger import Finding, FindingStatus
from backend.org.queries import department_names, find_department
from backend.runtime import runtime
from backend.web.console.access import (
    ensure_visible,
    require_role,
    signed_in_account,
    visible_department_ids,
)
from backend.web.console.evaluation.common import save_or_show
from backend.web.console.uploads import uploaded_attachment
from backend.web.guards import accepts_upload
from backend.web.session import request_session

blueprint = Blueprint("console_ledger", __name__, url_prefix="/console/ledger")


def _filters() -> tuple[int | None, list[FindingStatus] | None]:
    round_id = parse_int(request.args.get("round_id", "")) if request.args.get("round_id") else None
    if request.args.get("round_id") and round_id is None:
        abort(400, description="评估轮次参数无效")
    raw = request.args.get("status", "")
    if not raw:
        return round_id, None
    if raw == "unresolved":
        return round_id, sorted(rules.UNRESOLVED)
    try:
        return round_id, [FindingStatus(raw)]
    except ValueError:
        abort(400, description="状态参数无效")


def _scoped_findings() -> list[Finding]:
    session = request_session()
    round_id, statuses = _filters()
    allowed = visible_department_ids(session, signed_in_account())
    return queries.findings(session, department_ids=allowed, round_id=round_id, statuses=statuses)


@blueprint.get("/")
@require_role("admin", "head")
def index():
    """The ledger, filtered by round and status, limited to the account's units."""
    session = request_session()
    round_id, _ = _filters()
    return render_template(
        "ledger/index.html",
        findings=_scoped_findings(),
        names=department_names(session),
        rounds=list_rounds(session),
        round_id=round_id,
        status=request.args.get("status", ""),
        statuses=texts.STATUS_LABELS,
        today=runtime().clock().date(),
        is_overdue=rules.is_overdue,
    )


@blueprint.get("/export.xlsx")
@require_role("admin", "head")
def export_xlsx():
    """Download the (filtered, scoped) ledger as an Excel workbook."""
    data = export.ledger_xlsx(request_session(), _scoped_findings())
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''ledger.xlsx"}
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, mimetype=mimetype, headers=headers)


def _new_target():
    """Return the unit (and round) a new finding is for, or answer 404."""
    session = request_session()
    raw_round = request.values.get("round_id", "")
    round_id = parse_int(raw_round) if raw_round else None
    department = find_department(
        session, department_id=parse_int(request.values.get("department_id", ""))
    )
    if department is None:
        abort(404, description=texts.ERR_UNIT_MISSING)
    rnd = round_by_id(session, round_id=round_id) if round_id is not None else None
    if raw_round and rnd is None:
        abort(404, description=texts.ERR_ROUND_MISSING)
    return department, rnd


def _new_page(status: int = 200, error: str = ""):
    department, rnd = _new_target()
    if error:
        flash(error, "error")
    html = render_template(
        "ledger/new.html",
        department=department,
        rnd=rnd,
        typed=request.form,
        today=runtime().clock().date(),
    )
    return html, status


@blueprint.get("/new")
@require_role("admin")
def new():
    """The form to record a problem found in a unit (from its round page or on its own)."""
    return _new_page()


@blueprint.post("/new")
@require_role("admin")
def create():
    """Record the problem; the unit's head is told through the bot."""
    department, rnd = _new_target()
    found_on = parse_day(request.form.get("found_on", ""))
    if found_on is None:
        return _new_page(400, "发现日期格式应为 2026-11-20")
    try:
        with writing(runtime().engine) as session:
            finding = service.record_finding(
                session,
                department_id=department.id or 0,
                round_id=rnd.id if rnd else None,
                problem=request.form.get("problem", ""),
                suggestion=request.form.get("suggestion", ""),
                found_on=found_on,
                account=signed_in_account(),
            )
            finding_id = finding.id
    except LedgerError as error:
        return _new_page(error.status, error.message)
    flash("已记入问题台账，已通知单位负责人", "success")
    return redirect(url_for(".detail", finding_id=finding_id))


def _visible_finding(finding_id: int) -> Finding:
    session = request_session()
    finding = queries.finding(session, finding_id=finding_id)
    if finding is None:
        abort(404, description=texts.ERR_MISSING)
    ensure_visible(session, signed_in_account(), finding.department_id)
    return finding


def _detail(finding_id: int, status: int = 200, error: str = ""):
    finding = _visible_finding(finding_id)
    session = request_session()
    if error:
        flash(error, "error")
    html = render_template(
        "ledger/detail.html",
        f=finding,
        name=department_names(session).get(finding.department_id, ""),
        rnd=round_by_id(session, round_id=finding.round_id) if finding.round_id else None,
        history=queries.events(session, finding_id=finding_id),
        files=attachments.attachments(
            session,
            kind=AttachmentKind.RECTIFICATION,
            department_id=finding.department_id,
            finding_id=finding_id,
        ),
        statuses=texts.STATUS_LABELS,
        actions=texts.ACTION_LABELS,
        can_commit=finding.status in rules.COMMITTABLE,
        can_report=finding.status in rules.REPORTABLE,
        can_check=finding.status in rules.CHECKABLE,
        is_admin=signed_in_account().role == "admin",
        typed=request.form,
        today=runtime().clock().date(),
    )
    return html, status


@blueprint.get("/<int:finding_id>")
@require_role("admin", "head")
def detail(finding_id: int):
    """One finding: the problem, measure, deadline, report, check and history."""
    return _detail(finding_id)


def _step(finding_id: int, work, done: str):
    """Do one step, then back to the finding; a refused step shows it again as typed."""
    _visible_finding(finding_id)
    return save_or_show(
        work,
        done=done,
        then=url_for(".detail", finding_id=finding_id),
        show=lambda status: _detail(finding_id, status),
    )


@blueprint.post("/<int:finding_id>/commit")
@require_role("admin", "head")
def commit(finding_id: int):
    """The unit commits its rectification measure and deadline."""
    raw = request.form.get("deadline", "").strip()
    deadline = parse_day(raw) if raw else None
    if raw and deadline is None:
        return _detail(finding_id, 400, "整改期限格式应为 2026-12-31")
    return _step(
        finding_id,
        lambda s: service.commit_measure(
            s,
            finding_id=finding_id,
            measure=request.form.get("measure", ""),
            deadline=deadline,
            today=runtime().clock().date(),
            account=signed_in_account(),
        ),
        "已保存整改措施和期限",
    )


@blueprint.post("/<int:finding_id>/report")
@require_role("admin", "head")
def report(finding_id: int):
    """The unit files its rectification report."""
    return _step(
        finding_id,
        lambda s: service.file_report(
            s,
            finding_id=finding_id,
            report=request.form.get("report", ""),
            account=signed_in_account(),
        ),
        "已提交整改报告，等待回头看",
    )


@blueprint.post("/<int:finding_id>/check")
@require_role("admin")
def check(finding_id: int):
    """The follow-up check (回头看): close the finding, or reopen it with what was found."""
    verdict = request.form.get("verdict", "")
    if verdict not in ("close", "reopen"):
        return _detail(finding_id, 400, "请选择销号或重新整改")
    return _step(
        finding_id,
        lambda s: service.check_finding(
            s,
            finding_id=finding_id,
            passed=verdict == "close",
            note=request.form.get("note", ""),
            account=signed_in_account(),
        ),
        "已销号" if verdict == "close" else "已退回重新整改，已通知单位负责人",
    )


@blueprint.post("/<int:finding_id>/files")
@require_role("admin", "head")
@accepts_upload
def upload(finding_id: int):
    """Attach a rectification file to a finding that is not closed."""
    finding = _visible_finding(finding_id)
    if finding.status == FindingStatus.CLOSED:
        abort(409, description="该问题已销号，不能再上传材料")
    filename, data = uploaded_attachment()
    return _step(
        finding_id,
        lambda s: attachments.save_attachment(
            s,
            kind=AttachmentKind.RECTIFICATION,
            department_id=finding.department_id,
            round_id=finding.round_id,
            finding_id=finding_id,
            filename=filename,
            data=data,
            account=signed_in_account(),
        ),
        "已上传整改材料",
    )


@blueprint.get("/files/<int:attachment_id>")
@require_role("admin", "head")
def download(attachment_id: int):
    """Download an uploaded file of the account's own units."""
    session = request_session()
    try:
        row = attachments.attachment(session, attachment_id=attachment_id)
    except LedgerError as error:
        abort(error.status, description=error.message)
    ensure_visible(session, signed_in_account(), row.department_id)
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}"}
    return Response(row.data, mimetype=row.content_type, headers=headers)
