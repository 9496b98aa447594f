"""Organisation: departments, sections and staff; add by hand, sync from WeCom, import a roster."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from backend.common.values import parse_int
from backend.db import writing
from backend.excel.labels import STAFFING_LABELS
from backend.models import Department, saved_id, saved_ids
from backend.org import queries, service
from backend.org import work_patterns as patterns
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import ensure_visible, require_role, signed_in_account
from backend.web.console.common import audit, visible_departments
from backend.web.console.form_fields import WebForm, add_error, filled
from backend.web.console.forms import ActiveForm, DepartmentForm, SectionForm
from backend.web.console.jobs import start_job
from backend.web.console.pattern_forms import ExceptionForm, PatternForm
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


# --- work patterns (工作日安排) --------------------------------------------------------------


@blueprint.get("/org/patterns")
@require_role("admin")
def work_patterns_page(status: int = 200, failed: WebForm | None = None):
    """List members' and sections' weekly patterns and upcoming exceptions, with their forms."""
    db = request_session()
    departments = visible_departments(db)
    today = runtime().clock().date()
    return render_template(
        "console/work_patterns.html",
        patterns=patterns.list_patterns(db),
        exceptions=patterns.list_exceptions(db, since=today),
        sections=queries.sections_of(db, department_ids=saved_ids(d.id for d in departments)),
        names={saved_id(d): d.name for d in departments},
        label=patterns.weekdays_label,
        failed=failed,
    ), status


def _owner(db, form: PatternForm | ExceptionForm) -> dict[str, int | None]:
    """Return the staff_id or section_id the form names (the service checks exactly one)."""
    userid = (form.userid.data or "").strip()
    if not userid:
        return {"staff_id": None, "section_id": form.section_id.data}
    staff = patterns.find_member(db, wecom_userid=userid)
    if staff is None:
        raise patterns.WorkPatternError(f"找不到企业微信账号为“{userid}”的人员")
    return {"staff_id": saved_id(staff), "section_id": None}


@blueprint.post("/org/patterns")
@require_role("admin")
def work_pattern_save():
    """Set a member's or a section's weekly pattern (标准: back to the office calendar)."""
    form = PatternForm()
    if not form.validate():
        return work_patterns_page(400, form)
    try:
        with writing(runtime().engine) as db:
            owner = _owner(db, form)
            weekdays, note = form.weekdays.data, form.note.data
            row = patterns.set_pattern(db, weekdays=weekdays, note=note, **owner)
            audit(db, "work_pattern_set", str(owner), row.weekdays if row else "standard")
    except patterns.WorkPatternError as error:
        flash(str(error), "error")
        return work_patterns_page(400, form)
    flash(f"已保存：{patterns.weekdays_label(row.weekdays if row else '')}", "success")
    return redirect(url_for("console.work_patterns_page"))


@blueprint.post("/org/patterns/<int:pattern_id>/delete")
@require_role("admin")
def work_pattern_delete(pattern_id: int):
    """Drop one pattern: its member or section follows the office calendar again."""
    with writing(runtime().engine) as db:
        if patterns.remove_pattern(db, pattern_id=pattern_id):
            audit(db, "work_pattern_clear", str(pattern_id))
    flash("已恢复为单位日历", "success")
    return redirect(url_for("console.work_patterns_page"))


@blueprint.post("/org/patterns/exceptions")
@require_role("admin")
def work_exception_save():
    """Say that a member or a section works, or is off, on one day."""
    form = ExceptionForm()
    if not form.validate():
        return work_patterns_page(400, form)
    day, works = filled(form.day.data), form.works.data == "works"
    try:
        with writing(runtime().engine) as db:
            owner = _owner(db, form)
            patterns.set_exception(db, day=day, works=works, note=form.note.data, **owner)
            audit(db, "work_exception_set", str(owner), f"{day} {'works' if works else 'off'}")
    except patterns.WorkPatternError as error:
        flash(str(error), "error")
        return work_patterns_page(400, form)
    flash(f"{day} 已设为{'上班' if works else '休息'}", "success")
    return redirect(url_for("console.work_patterns_page"))


@blueprint.post("/org/patterns/exceptions/<int:exception_id>/delete")
@require_role("admin")
def work_exception_delete(exception_id: int):
    """Drop one dated exception."""
    with writing(runtime().engine) as db:
        if patterns.remove_exception(db, exception_id=exception_id):
            audit(db, "work_exception_remove", str(exception_id))
    flash("已删除该日期安排", "success")
    return redirect(url_for("console.work_patterns_page"))
