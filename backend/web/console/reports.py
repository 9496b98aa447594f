"""Console page /console/reports: any weekly, monthly or county report on demand, as a job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Blueprint, abort, render_template

from backend.org.queries import find_department
from backend.reports.periods import EXAMPLES, PeriodError, last_complete, parse_period
from backend.reports.queries import reporting_departments
from backend.runtime import runtime
from backend.web.console.access import require_role, signed_in_account, visible_department_ids
from backend.web.console.area_forms import ReportForm
from backend.web.console.form_fields import add_error
from backend.web.console.jobs import start_job
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

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


@blueprint.get("")
@require_role("admin", "head")
def index():
    """Show the report choices the signed-in account may download."""
    return _page()


@blueprint.post("/download")
@require_role("admin", "head")
def download():
    """Queue a job producing one report file; its page offers the download when ready."""
    form = ReportForm()
    form.kind.choices = [(key, kind.label) for key, kind in KINDS.items()]
    form.row = form.kind.data  # the page has one form per kind
    if not form.validate():
        return _page(form, 400)
    kind = KINDS[form.kind.data]
    if kind.county and signed_in_account().role != "admin":
        abort(403, description="全县报告只有管理员可以下载")
    today = runtime().clock().date()
    try:
        period = parse_period(kind.period, form.period.data or None, today=today)
    except PeriodError as problem:
        add_error(form.period, str(problem))
        return _page(form, 400)
    department_id = None if kind.county else _department_id(request_session(), form)
    if department_id is None and not kind.county:
        return _page(form, 400)
    payload = {
        "file": kind.file,
        "period_kind": kind.period,
        "period": period.key,
        "today": today.isoformat(),
        "department_id": department_id,
    }
    return start_job("report_download", payload)


def _department_id(session: Session, form: ReportForm) -> int | None:
    """Return the visible top-level department asked for; None (with an error) when not given."""
    department_id = form.department.data
    if department_id is None:
        add_error(form.department, "请选择部门")
        return None
    allowed = visible_department_ids(session, signed_in_account())
    department = find_department(session, department_id=department_id)
    if department is None or department.parent_id is not None:
        abort(404, description="没有这个部门")
    if allowed is not None and department.id not in allowed:
        abort(404, description="没有这个部门")
    return department.id


def _page(failed: ReportForm | None = None, status: int = 200):
    account = signed_in_account()
    today = runtime().clock().date()
    kinds = {key: k for key, k in KINDS.items() if account.role == "admin" or not k.county}
    defaults = {kind: last_complete(kind, today).key for kind in EXAMPLES}
    session = request_session()
    allowed = visible_department_ids(session, account)
    departments = [d for d in reporting_departments(session) if allowed is None or d.id in allowed]
    html = render_template(
        "console/reports.html",
        kinds=kinds,
        departments=departments,
        defaults=defaults,
        examples=EXAMPLES,
        problem=failed.first_error() if failed else "",
        failed=failed,
    )
    return html, status
