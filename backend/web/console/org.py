"""Organisation: departments, sections and staff; add by hand, sync from WeCom, import a roster."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from backend.common.values import parse_int
from backend.db import writing
from backend.excel.labels import STAFFING_LABELS
from backend.models import Department, saved_id, saved_ids
from backend.org import queries, service
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import ensure_visible, require_role, signed_in_account
from backend.web.console.common import audit, visible_departments
from backend.web.console.form_fields import WebForm, add_error
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
    ids = saved_ids(d.id for d in departments)
    counts = queries.active_staff_counts(db, department_ids=ids)
    sections = queries.sections_of(db, department_ids=ids)
    chosen = _chosen(departments)
    staff = queries.staff_with_sections(db, department_id=saved_id(chosen)) if chosen else []
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


def _chosen(departments: list[Department]) -> Department | None:
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


@blueprint.post("/org/departments")
@require_role("admin")
def department_add():
    """Add a department or an institution under one."""
    form = DepartmentForm()
    if not form.validate():
        return _org_page(form, 400)
    name, short = form.name.data, form.short_name.data
    with writing(runtime().engine) as db:
        if queries.department_named(db, name=name):
            add_error(form.name, f"部门“{name}”已存在")
            return _org_page(form, 400)
        parent = queries.find_department(db, department_id=form.parent_id.data)
        service.add_department(db, name=name, short_name=short, parent=parent)
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
        department = queries.find_department(db, department_id=department_id)
        if department is None:
            abort(404, description="找不到该部门")
        if queries.section_named(db, department_id=saved_id(department), name=name) is None:
            service.add_section(db, department=department, name=name)
            audit(db, "section_add", f"{department.name}/{name}")
    flash(f"已添加科室“{name}”", "success")
    return redirect(url_for("console.org", department=department_id))


@blueprint.post("/org/staff/<int:staff_id>/active")
@require_role("admin")
def staff_active(staff_id: int):
    """Mark a member as in post or left (entries are kept either way)."""
    active = ActiveForm().active.data
    with writing(runtime().engine) as db:
        staff = queries.find_staff(db, staff_id=staff_id)
        if staff is None:
            abort(404, description="找不到该人员")
        ensure_visible(db, signed_in_account(), staff.department_id)
        service.set_staff_active(db, staff=staff, active=active)
        audit(db, "staff_active" if active else "staff_inactive", staff.wecom_userid)
        department_id = staff.department_id
    return redirect(url_for("console.org", department=department_id))


@blueprint.post("/org/sync")
@require_role("admin")
def wecom_sync():
    """Queue a job pulling departments and members from WeCom's contacts."""
    return start_job("wecom_sync", {})
