"""Duty catalogues (三定职责清单): duties with function type and standard hours, task types,
key tasks; the duty list itself is imported from Excel (see imports.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import delete
from sqlmodel import Session, col, select

from backend.db import writing
from backend.excel.labels import FUNCTION_LABELS
from backend.models import Department, Duty, DutyEntry, KeyTask, KeyTaskDuty, TaskType
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import require_role
from backend.web.console.common import audit, visible_departments
from backend.web.console.form_fields import WebForm
from backend.web.console.forms import DutyForm, KeyTaskForm, TaskTypeForm
from backend.web.session import request_session


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
    duties, key_tasks = (_duties(db, chosen), _key_tasks(db, chosen)) if chosen else ([], [])
    task_types = db.exec(select(TaskType).order_by(col(TaskType.sort_order))).all()
    return render_template(
        "console/catalogue.html",
        departments=departments,
        chosen=chosen,
        duties=duties,
        key_tasks=key_tasks,
        task_types=task_types,
        functions=FUNCTION_LABELS,
        year=year,
        failed=failed,
    ), status


def _chosen(departments: list[Department], raw: str) -> Department | None:
    if not raw:
        return departments[0] if departments else None
    found = next((d for d in departments if str(d.id) == raw), None)
    if found is None:
        abort(404, description="找不到该部门的数据")
    return found


def _duties(db: Session, department: Department) -> list[Duty]:
    stmt = select(Duty).where(Duty.department_id == department.id)
    return list(db.exec(stmt.order_by(col(Duty.active).desc(), col(Duty.seq))))


def _key_tasks(db: Session, department: Department) -> list[tuple[KeyTask, list[int]]]:
    tasks = db.exec(
        select(KeyTask).where(KeyTask.department_id == department.id).order_by(
            col(KeyTask.year).desc(), col(KeyTask.id))
    ).all()  # fmt: skip
    links = db.exec(
        select(KeyTaskDuty.key_task_id, Duty.seq)
        .join(Duty, col(Duty.id) == KeyTaskDuty.duty_id)
        .where(col(KeyTaskDuty.key_task_id).in_([t.id for t in tasks] or [-1]))
    ).all()
    return [(t, sorted(seq for task_id, seq in links if task_id == t.id)) for t in tasks]


@blueprint.post("/catalogue/duties/<int:duty_id>")
@require_role("admin")
def duty_update(duty_id: int):
    """Change a duty's function type, default task type, standard hours or active flag."""
    form = DutyForm()
    form.row = f"duty-{duty_id}"
    form.function_type.choices = list(FUNCTION_LABELS.items())
    codes = request_session().exec(select(TaskType.code)).all()
    form.default_task_type_code.choices = [("", "无"), *((c, c) for c in codes)]
    if not form.validate():
        duty = request_session().get(Duty, duty_id)
        if duty is None:
            abort(404, description="找不到该职责")
        return _catalogue_page(form, 400, duty.department_id)
    with writing(runtime().engine) as db:
        duty = db.get(Duty, duty_id)
        if duty is None:
            abort(404, description="找不到该职责")
        before = (duty.function_type, duty.standard_hours, duty.default_task_type_code, duty.active)
        duty.function_type, duty.standard_hours = form.function_type.data, form.standard_hours.data
        duty.default_task_type_code = form.default_task_type_code.data or None
        duty.active = form.active.data
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
    hours = form.standard_hours.data
    with writing(runtime().engine) as db:
        task_type = db.get(TaskType, code)
        if task_type is None:
            abort(404, description="找不到该任务类型")
        audit(db, "task_type_update", code, f"{task_type.standard_hours} -> {hours}")
        task_type.standard_hours = hours
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
        department = db.get(Department, form.department_id.data)
        if department is None:
            abort(404, description="找不到该部门")
        duties, missing = _duties_by_seq(db, department.id, form.seqs() or [])
        if missing:
            form.duty_seqs.errors.append(f"本部门没有序号为 {'、'.join(map(str, missing))} 的职责")
            return _catalogue_page(form, 400, department.id)
        task = KeyTask(department_id=department.id, year=form.year.data, title=form.title.data)
        db.add(task)
        db.flush()
        db.add_all(KeyTaskDuty(key_task_id=task.id, duty_id=duty.id) for duty in duties)
        audit(db, "key_task_add", f"{department.name}/{form.year.data}", form.title.data)
    flash("已添加重点工作", "success")
    return redirect(url_for("console.catalogue", department=department.id))


def _duties_by_seq(
    db: Session, department_id: int, seqs: list[int]
) -> tuple[list[Duty], list[int]]:
    """Return the department's duties with these numbers, and the numbers it has no duty for."""
    stmt = select(Duty).where(Duty.department_id == department_id, col(Duty.seq).in_(seqs or [-1]))
    duties = list(db.exec(stmt))
    return duties, sorted(set(seqs) - {d.seq for d in duties})


@blueprint.post("/catalogue/key-tasks/<int:task_id>/delete")
@require_role("admin")
def key_task_delete(task_id: int):
    """Delete a key task no entry refers to."""
    with writing(runtime().engine) as db:
        task = db.get(KeyTask, task_id)
        if task is None:
            abort(404, description="找不到该重点工作")
        used = db.exec(select(DutyEntry.id).where(DutyEntry.key_task_id == task_id)).first()
        if used is not None:
            abort(400, description="已有履职记录关联这项重点工作，不能删除")
        db.exec(delete(KeyTaskDuty).where(KeyTaskDuty.key_task_id == task_id))
        db.delete(task)
        audit(db, "key_task_delete", str(task_id), task.title)
        department_id = task.department_id
    flash("已删除重点工作", "success")
    return redirect(url_for("console.catalogue", department=department_id))
