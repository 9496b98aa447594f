"""Organisation: departments, sections and staff; add by hand, sync from WeCom, import a roster."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.common.values import parse_int
from backend.db import writing
from backend.excel.labels import STAFFING_LABELS
from backend.models import Department, DepartmentKind, Section, Staff
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import current_account, ensure_visible, require_role
from backend.web.console.common import audit, visible_departments
from backend.web.console.form_fields import WebForm
from backend.web.console.forms import ActiveForm, DepartmentForm, SectionForm
from backend.web.console.jobs import start_job
from backend.web.session import request_session

ROLE_NAMES = {"staff": "工作人员", "reviewer": "审核员", "head": "部门负责人", "admin": "管理员"}


@blueprint.get("/org")
@require_role()
def org():
    """List the visible departments with sections and staff counts; one department's staff."""
    return _org_page()


def _org_page(failed: WebForm | None = None, status: int = 200):
    """Render the organisation page; `failed` is a form shown again with its errors."""
    db = request_session()
    departments = visible_departments(db)
    ids = [d.id for d in departments] or [-1]
    counted = select(Staff.department_id, func.count()).where(Staff.active)
    counted = counted.where(col(Staff.department_id).in_(ids)).group_by(Staff.department_id)
    counts = dict(db.exec(counted).all())
    sections = db.exec(select(Section).where(col(Section.department_id).in_(ids))).all()
    chosen = _chosen(db, departments)
    staff = _staff_of(db, chosen) if chosen else []
    return render_template(
        "console/org.html",
        departments=departments,
        counts=counts,
        sections=sections,
        chosen=chosen,
        staff=staff,
        staffing=STAFFING_LABELS,
        roles=ROLE_NAMES,
        failed=failed,
    ), status


def _chosen(db: Session, departments: list[Department]) -> Department | None:
    raw = request.args.get("department", "")
    if not raw:
        return departments[0] if departments else None
    wanted = parse_int(raw)
    if wanted is None:
        abort(404, description="找不到该部门")
    found = next((d for d in departments if d.id == wanted), None)
    if found is None:
        abort(404, description="找不到该部门的数据")
    return found


def _staff_of(db: Session, department: Department) -> list[tuple[Staff, str]]:
    stmt = (
        select(Staff, Section.name)
        .outerjoin(Section, col(Section.id) == Staff.section_id)
        .where(Staff.department_id == department.id)
        .order_by(col(Staff.active).desc(), col(Staff.is_leader).desc(), col(Staff.name))
    )
    return [(staff, section or "") for staff, section in db.exec(stmt)]


@blueprint.post("/org/departments")
@require_role("admin")
def department_add():
    """Add a department or an institution under one."""
    form = DepartmentForm()
    if not form.validate():
        return _org_page(form, 400)
    name, short = form.name.data, form.short_name.data
    with writing(runtime().engine) as db:
        if db.exec(select(Department).where(Department.name == name)).first():
            form.name.errors.append(f"部门“{name}”已存在")
            return _org_page(form, 400)
        parent_id = form.parent_id.data
        parent = db.get(Department, parent_id) if parent_id is not None else None
        kind = DepartmentKind.INSTITUTION if parent else DepartmentKind.DEPARTMENT
        db.add(Department(name=name, short_name=short, parent_id=parent.id if parent else None,
                          kind=kind))  # fmt: skip
        audit(db, "department_add", name, f"parent={parent.name if parent else ''}")
    flash(f"已添加部门“{name}”", "success")
    return redirect(url_for("console.org"))


@blueprint.post("/org/sections")
@require_role("admin")
def section_add():
    """Add a section to a department."""
    form = SectionForm()
    if not form.validate():
        return _org_page(form, 400)
    name, department_id = form.name.data, form.department_id.data
    with writing(runtime().engine) as db:
        department = db.get(Department, department_id)
        if department is None:
            abort(404, description="找不到该部门")
        stmt = select(Section).where(Section.department_id == department.id, Section.name == name)
        if db.exec(stmt).first() is None:
            db.add(Section(department_id=department.id, name=name))
            audit(db, "section_add", f"{department.name}/{name}")
    flash(f"已添加科室“{name}”", "success")
    return redirect(url_for("console.org", department=department_id))


@blueprint.post("/org/staff/<int:staff_id>/active")
@require_role("admin")
def staff_active(staff_id: int):
    """Mark a member as in post or left (entries are kept either way)."""
    active = ActiveForm().active.data
    with writing(runtime().engine) as db:
        staff = db.get(Staff, staff_id)
        if staff is None:
            abort(404, description="找不到该人员")
        ensure_visible(db, current_account(), staff.department_id)
        staff.active = active
        audit(db, "staff_active" if active else "staff_inactive", staff.wecom_userid)
        department_id = staff.department_id
    return redirect(url_for("console.org", department=department_id))


@blueprint.post("/org/sync")
@require_role("admin")
def wecom_sync():
    """Queue a job pulling departments and members from WeCom's contacts."""
    return start_job("wecom_sync", {})
