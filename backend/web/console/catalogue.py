"""Duty catalogues (三定职责清单): duties with function type and standard hours, task types,
key tasks; the duty list itself is imported from Excel (see imports.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, flash, redirect, render_template, request, url_for

from backend.db import writing
from backend.excel.labels import FUNCTION_LABELS
from backend.models import Department, Duty, KeyTask, saved_id
from backend.org import queries, service
from backend.org.catalogue import task_types
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import require_role
from backend.web.console.common import audit, visible_departments
from backend.web.console.form_fields import WebForm, add_error, filled
from backend.web.console.forms import DutyForm, KeyTaskForm, TaskTypeForm
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

KeyTaskRow = tuple[KeyTask, list[int]]


@blueprint.get("/catalogue")
@require_role()
def catalogue():
    """Show one department's duties and key tasks, and the task types."""
    return _catalogue_page()


def _catalogue_page(failed: WebForm | None = None, status: int = 200, department: object = None):
    """Render the catalogue page; `failed` is a form shown again with its errors."""
    year = runtime().clock().year
    db = request_session()
    departments = visible_departments(db)
    wanted = request.args.get("department", "") if department is None else str(department)
    chosen = _chosen(departments, wanted)
    department_id = saved_id(chosen) if chosen else None
    duties, key_tasks = _catalogue_of(db, department_id) if department_id else ([], [])
    return render_template(
        "console/catalogue.html",
        departments=departments,
        chosen=chosen,
        duties=duties,
        key_tasks=key_tasks,
        task_types=task_types(db),
        functions=FUNCTION_LABELS,
        year=year,
        failed=failed,
    ), status


def _catalogue_of(db: Session, department_id: int) -> tuple[list[Duty], list[KeyTaskRow]]:
    """Return a department's duties and its key tasks with their duties' numbers."""
    duties = queries.catalogue_duties(db, department_id=department_id)
    return duties, queries.key_tasks_with_duty_numbers(db, department_id=department_id)


def _chosen(departments: list[Department], raw: str) -> Department | None:
    if not raw:
        return departments[0] if departments else None
    found = next((d for d in departments if str(d.id) == raw), None)
    if found is None:
        abort(404, description="找不到该部门的数据")
    return found


@blueprint.post("/catalogue/duties/<int:duty_id>")
@require_role("admin")
def duty_update(duty_id: int):
    """Change a duty's function type, default task type, standard hours or active flag."""
    form = DutyForm()
    form.row = f"duty-{duty_id}"
    form.function_type.choices = list(FUNCTION_LABELS.items())
    codes = queries.task_type_codes(request_session())
    form.default_task_type_code.choices = [("", "无"), *((c, c) for c in codes)]
    if not form.validate():
        duty = queries.find_duty(request_session(), duty_id=duty_id)
        if duty is None:
            abort(404, description="找不到该职责")
        return _catalogue_page(form, 400, duty.department_id)
    with writing(runtime().engine) as db:
        duty = queries.find_duty(db, duty_id=duty_id)
        if duty is None:
            abort(404, description="找不到该职责")
        before = (duty.function_type, duty.standard_hours, duty.default_task_type_code, duty.active)
        service.update_duty(
            db,
            duty=duty,
            function_type=form.function_type.data,
            standard_hours=form.standard_hours.data,
            default_task_type_code=form.default_task_type_code.data or None,
            active=form.active.data,
        )
        audit(db, "duty_update", f"{duty.department_id}#{duty.seq}", f"{before}")
        department_id = duty.department_id
    flash("职责已更新", "success")
    return redirect(url_for("console.catalogue", department=department_id))


@blueprint.post("/catalogue/task-types/<code>")
@require_role("admin")
def task_type_update(code: str):
    """Change a task type's standard hours per entry."""
    form = TaskTypeForm()
    form.row = f"type-{code}"
    if not form.validate():
        return _catalogue_page(form, 400)
    hours = filled(form.standard_hours.data)
    with writing(runtime().engine) as db:
        task_type = queries.find_task_type(db, code=code)
        if task_type is None:
            abort(404, description="找不到该任务类型")
        audit(db, "task_type_update", code, f"{task_type.standard_hours} -> {hours}")
        service.set_task_type_hours(db, task_type=task_type, hours=hours)
    flash("标准工时已更新", "success")
    return redirect(url_for("console.catalogue"))


@blueprint.post("/catalogue/key-tasks")
@require_role("admin")
def key_task_add():
    """Add an annual key task and link it to duties by their numbers."""
    form = KeyTaskForm()
    if not form.validate():
        return _catalogue_page(form, 400, form.department_id.data)
    with writing(runtime().engine) as db:
        department = queries.find_department(db, department_id=form.department_id.data)
        if department is None or department.id is None:
            abort(404, description="找不到该部门")
        duties, missing = queries.duties_by_numbers(
            db, department_id=department.id, seqs=form.seqs() or []
        )
        if missing:
            add_error(form.duty_seqs, f"本部门没有序号为 {'、'.join(map(str, missing))} 的职责")
            return _catalogue_page(form, 400, department.id)
        year, title = filled(form.year.data), form.title.data
        service.add_key_task(db, department=department, year=year, title=title, duties=duties)
        audit(db, "key_task_add", f"{department.name}/{year}", title)
    flash("已添加重点工作", "success")
    return redirect(url_for("console.catalogue", department=department.id))


@blueprint.post("/catalogue/key-tasks/<int:task_id>/delete")
@require_role("admin")
def key_task_delete(task_id: int):
    """Delete a key task no entry refers to."""
    with writing(runtime().engine) as db:
        task = queries.find_key_task(db, task_id=task_id)
        if task is None:
            abort(404, description="找不到该重点工作")
        if queries.key_task_in_use(db, task_id=task_id):
            abort(400, description="已有履职记录关联这项重点工作，不能删除")
        service.delete_key_task(db, task=task)
        audit(db, "key_task_delete", str(task_id), task.title)
        department_id = task.department_id
    flash("已删除重点工作", "success")
    return redirect(url_for("console.catalogue", department=department_id))
