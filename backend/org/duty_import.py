"""三定 duty-list import: validated row by row, all or nothing, idempotent.

Duties are keyed by (department, 序号). A duty of a department in the file whose number is no
longer listed is deactivated (entries still point at it); listing it again reactivates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from backend.excel import importer, spec
from backend.excel.importer import Fail, ParsedRow, ParsedSheet
from backend.excel.labels import FUNCTION_LABELS
from backend.excel.reader import MAX_ROWS, ImportReport
from backend.excel.spec import Column, Spec
from backend.models import Duty, TaskType
from backend.org.roster_import import department_index, department_of

FUNCTION_BY_LABEL = {label: code for code, label in FUNCTION_LABELS.items()} | {
    "核心": "core",
    "一般": "general",
    "辅助": "auxiliary",
    **{c: c for c in FUNCTION_LABELS},
}
HOURS = spec.number_cell("应为数字（小时）", 0, 24, "应大于 0 且不超过 24")

DUTY_SPEC = Spec(
    "duties",
    (
        Column(
            "部门",
            "department",
            required=True,
            example="县民政局",
            width=24,
            note="部门或事业单位全称（或简称），须已存在",
        ),
        Column(
            "序号",
            "seq",
            spec.integer_cell(1, 9999),
            required=True,
            example=1,
            width=8,
            note="三定规定中该职责的序号，正整数，同一部门内唯一",
        ),
        Column(
            "职责内容",
            "title",
            spec.text_cell(500),
            required=True,
            width=60,
            example="负责婚姻登记管理",
            note="职责原文，不超过 500 字",
        ),
        Column(
            "职能类型",
            "function_type",
            spec.choice_cell(FUNCTION_BY_LABEL),
            required=True,
            example="核心职能",
            width=12,
            choices=tuple(FUNCTION_LABELS.values()),
            note="核心职能、一般职能或辅助职能",
        ),
        Column(
            "默认任务类型",
            "task_type",
            example="业务",
            width=14,
            note="业务、党建、财务和组织人事、信访投诉或综合性工作",
        ),
        Column(
            "标准工时",
            "standard_hours",
            HOURS,
            example=4,
            width=10,
            note="每条填报的标准工时（小时），0–24，可留空",
        ),
    ),
    filename="三定职责清单导入模板.xlsx",
    sheet="职责清单",
)


@dataclass(frozen=True)
class DutyRow:
    """One validated duty row."""

    number: int
    department_id: int
    seq: int
    title: str
    function_type: str
    task_type: str | None
    standard_hours: float | None


def read_duties(data: bytes, *, max_rows: int = MAX_ROWS) -> ParsedSheet:
    """Parse the uploaded duty list (no database); raise WorkbookError for an unreadable file."""
    return importer.read_sheet(data, DUTY_SPEC, max_rows=max_rows)


def validate_duties(session: Session, parsed: ParsedSheet) -> tuple[list[DutyRow], ImportReport]:
    """Check every row against the departments and task types (a read)."""
    departments, task_types = department_index(session), _task_types(session)
    seen: dict[tuple[int, int], int] = {}
    return importer.validate(
        parsed, lambda row, fail: _check(row, fail, (departments, task_types), seen)
    )


def import_duties(session: Session, data: bytes) -> ImportReport:
    """Validate every row; when all pass, create, update or deactivate duties."""
    valid, report = validate_duties(session, read_duties(data))
    if report.errors:
        return report
    write_duties(session, valid, report)
    deactivate_missing(session, valid, report)
    session.flush()
    return report


def write_duties(session: Session, rows: list[DutyRow], report: ImportReport) -> None:
    """Create or update the duties of these rows (idempotent: a second run changes nothing)."""
    keys = [(row.department_id, row.seq) for row in rows]
    stmt = select(Duty).where(tuple_(col(Duty.department_id), col(Duty.seq)).in_(keys))
    known = {(d.department_id, d.seq): d for d in session.exec(stmt)}
    for row in rows:
        _apply(session, row, known.get((row.department_id, row.seq)), report)
    session.flush()


def _task_types(session: Session) -> dict[str, str]:
    found = {}
    for task_type in session.exec(select(TaskType)):
        found[task_type.name] = found[task_type.code] = task_type.code
    return found


def _check(row: ParsedRow, fail: Fail, lookups: tuple[dict, dict], seen: dict) -> DutyRow | None:
    """Check a parsed row's department and task type, and that its number is not listed twice."""
    departments, task_types = lookups
    department_id = department_of(row, departments, fail)
    task_type = row.values["task_type"]
    if task_type is not None and task_type not in task_types:
        fail("默认任务类型", spec.unknown_choice(task_type, task_types))
    if row.failed or department_id is None or (task_type and task_type not in task_types):
        return None
    key = (department_id, row.values["seq"])
    if key in seen:
        fail("序号", f"与第 {seen[key]} 行的部门和序号重复")
        return None
    seen[key] = row.number
    values = {k: v for k, v in row.values.items() if k != "department"}
    values["task_type"] = task_types.get(task_type) if task_type else None
    return DutyRow(row.number, department_id, **values)


def _apply(session: Session, row: DutyRow, duty: Duty | None, report: ImportReport) -> None:
    wanted: dict[str, Any] = {
        "title": row.title,
        "function_type": row.function_type,
        "active": True,
        "default_task_type_code": row.task_type,
        "standard_hours": row.standard_hours,
    }
    if duty is None:
        session.add(Duty(department_id=row.department_id, seq=row.seq, **wanted))
        report.created += 1
        return
    changed = {k: v for k, v in wanted.items() if getattr(duty, k) != v}
    for key, value in changed.items():
        setattr(duty, key, value)
    report.updated += bool(changed)
    report.unchanged += not changed


def deactivate_missing(session: Session, rows: list[DutyRow], report: ImportReport) -> None:
    """Deactivate the duties of the file's departments whose numbers the file no longer lists."""
    listed: dict[int, set[int]] = {}
    for row in rows:
        listed.setdefault(row.department_id, set()).add(row.seq)
    for department_id, seqs in listed.items():
        stmt = select(Duty).where(
            Duty.department_id == department_id, Duty.active, col(Duty.seq).not_in(seqs)
        )
        for duty in session.exec(stmt):
            duty.active = False
            report.deactivated += 1
