"""Console page /console/reports: download any weekly, monthly or county report on demand."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file
from sqlmodel import Session

from backend.console.access import current_account, require_role, visible_department_ids
from backend.db import read_scope
from backend.models import Department
from backend.reports.periods import EXAMPLES, PeriodError, last_complete, parse_period
from backend.reports.queries import reporting_departments
from backend.reports.service import ReportOptions, report_download
from backend.runtime import runtime

blueprint = Blueprint("console_reports", __name__, url_prefix="/console/reports")


@dataclass(frozen=True)
class ReportKind:
    """One downloadable report: its label, the period it covers and who may produce it."""

    label: str
    period: str  # week | month | half | year
    file: str  # the kind report_download knows
    county: bool = False  # county-wide: administrators only


KINDS = {
    "weekly_image": ReportKind("部门周报图表（PNG）", "week", "weekly_image"),
    "monthly_pdf": ReportKind("部门履职评估分析报告（PDF）", "month", "monthly_pdf"),
    "monthly_xlsx": ReportKind("部门月度数据（Excel）", "month", "monthly_xlsx"),
    "county_pdf": ReportKind("全县月度排名与三色管理（PDF）", "month", "county_pdf", True),
    "core_pdf": ReportKind("部门核心职能履行评估分析报告（PDF）", "month", "core_pdf", True),
    "county_xlsx": ReportKind("全县月度数据（Excel）", "month", "county_xlsx", True),
    "notice_half": ReportKind("半年通报（PDF）", "half", "notice_pdf", True),
    "notice_year": ReportKind("年度通报（PDF）", "year", "notice_pdf", True),
}
MIMETYPES = {
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".md": "text/markdown; charset=utf-8",
}


@blueprint.get("")
@require_role("admin", "head")
def index():
    """Show the report choices the signed-in account may download."""
    return _page()


@blueprint.get("/download")
@require_role("admin", "head")
def download():
    """Produce one report file and send it as a download."""
    kind = KINDS.get(request.args.get("kind", ""))
    if kind is None:
        return _page("请选择报告类型", 400)
    if kind.county and current_account().role != "admin":
        abort(403, description="全县报告只有管理员可以下载")
    today = runtime().clock().date()
    try:
        period = parse_period(kind.period, request.args.get("period") or None, today=today)
    except PeriodError as problem:
        return _page(str(problem), 400)
    with read_scope(runtime().engine) as session:
        department_id = None if kind.county else _department_id(session)
        options = ReportOptions.from_settings(runtime().settings)
        filename, data = report_download(
            session,
            kind=kind.file,
            period=period,
            today=today,
            options=options,
            department_id=department_id,
        )
    mimetype = MIMETYPES.get(filename[filename.rfind(".") :], "application/octet-stream")
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)


def _department_id(session: Session) -> int:
    raw = request.args.get("department", "")
    if not raw.isdigit():
        abort(400, description="请选择部门")
    allowed = visible_department_ids(session, current_account())
    department = session.get(Department, int(raw))
    if department is None or department.parent_id is not None:
        abort(404, description="没有这个部门")
    if allowed is not None and department.id not in allowed:
        abort(404, description="没有这个部门")
    return department.id


def _page(problem: str = "", status: int = 200):
    account = current_account()
    today = runtime().clock().date()
    kinds = {key: k for key, k in KINDS.items() if account.role == "admin" or not k.county}
    defaults = {kind: last_complete(kind, today).key for kind in EXAMPLES}
    with read_scope(runtime().engine) as session:
        allowed = visible_department_ids(session, account)
        departments = [
            d for d in reporting_departments(session) if allowed is None or d.id in allowed
        ]
        html = render_template(
            "console/reports.html",
            kinds=kinds,
            departments=departments,
            defaults=defaults,
            examples=EXAMPLES,
            problem=problem,
            chosen=request.args,
        )
    return html, status
