"""三定 duty-list import: validated row by row, all or nothing, idempotent.

Duties are keyed by (department, 序号). A duty of a department in the file whose number is no
longer listed is deactivated (entries still point at it); listing it again reactivates it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from backend.excel import reader, templates
from backend.excel.labels import FUNCTION_LABELS
from backend.excel.reader import ImportReport, RowError, SheetRow
from backend.excel.roster import department_index
from backend.models import Duty, TaskType

FUNCTION_BY_LABEL = {label: code for code, label in FUNCTION_LABELS.items()} | {
    "核心": "core", "一般": "general", "辅助": "auxiliary", **{c: c for c in FUNCTION_LABELS},
}  # fmt: skip


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


def read_duties(data: bytes, *, max_rows: int = reader.MAX_ROWS) -> list[SheetRow]:
    """Parse the uploaded duty list (no database); raise WorkbookError for an unreadable file."""
    columns = templates.DUTIES
    return reader.read_rows(data, templates.titles(columns), templates.required(columns),
                            max_rows=max_rows)  # fmt: skip


def validate_duties(session: Session, rows: list[SheetRow]) -> tuple[list[DutyRow], ImportReport]:
    """Check every row against the departments and task types (a read)."""
    report = ImportReport(kind="duties", rows=len(rows))
    return _validate_all(session, rows, report), report


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
    stmt = select(Duty).where(tuple_(Duty.department_id, Duty.seq).in_(keys))
    known = {(d.department_id, d.seq): d for d in session.exec(stmt)}
    for row in rows:
        _apply(session, row, known.get((row.department_id, row.seq)), report)
    session.flush()


def _task_types(session: Session) -> dict[str, str]:
    found = {}
    for task_type in session.exec(select(TaskType)):
        found[task_type.name] = found[task_type.code] = task_type.code
    return found


def _validate_all(session: Session, rows: list[SheetRow], report: ImportReport) -> list[DutyRow]:
    departments, task_types = department_index(session), _task_types(session)
    seen: dict[tuple[int, int], int] = {}
    valid = []
    for row in rows:
        errors: list[RowError] = []
        parsed = _validate(row, departments, task_types, errors)
        key = (parsed.department_id, parsed.seq) if parsed else None
        if key in seen:
            errors.append(RowError(row.number, "序号", f"与第 {seen[key]} 行的部门和序号重复"))
        if parsed is not None and not errors:
            seen[key] = row.number
            valid.append(parsed)
        report.errors.extend(errors)
    return valid


def _validate(row: SheetRow, departments: dict, task_types: dict, errors: list[RowError]):
    cells = row.cells

    def fail(column: str, reason: str) -> None:
        errors.append(RowError(row.number, column, reason))

    department_id = _department(cells, departments, fail)
    seq = _seq(cells, fail)
    title = reader.text(cells.get("职责内容"))
    if not title:
        fail("职责内容", "必填")
    elif len(title) > 500:
        fail("职责内容", "不能超过 500 字")
    function = reader.choice(cells, "职能类型", FUNCTION_BY_LABEL, fail, required=True)
    task_type = reader.choice(cells, "默认任务类型", task_types, fail)
    hours = _hours(cells, fail)
    if errors:
        return None
    return DutyRow(row.number, department_id, seq, title, function, task_type, hours)


def _department(cells: dict, departments: dict, fail) -> int | None:
    name = reader.text(cells.get("部门"))
    if not name:
        fail("部门", "必填")
    elif name not in departments:
        fail("部门", f"找不到部门“{name}”，请先在“组织”中添加或同步")
    return departments.get(name)


def _seq(cells: dict, fail) -> int | None:
    raw = reader.text(cells.get("序号"))
    if not raw:
        fail("序号", "必填")
    elif not raw.isdigit() or int(raw) < 1 or int(raw) > 9999:
        fail("序号", f"“{raw}”不是 1–9999 的整数")
    else:
        return int(raw)
    return None


def _hours(cells: dict, fail) -> float | None:
    try:
        hours = reader.number(cells.get("标准工时"))
    except (ValueError, TypeError):
        fail("标准工时", "应为数字（小时）")
        return None
    if hours is not None and not 0 < hours <= 24:
        fail("标准工时", "应大于 0 且不超过 24")
    return hours


def _apply(session: Session, row: DutyRow, duty: Duty | None, report: ImportReport) -> None:
    wanted = {
        "title": row.title, "function_type": row.function_type, "active": True,
        "default_task_type_code": row.task_type, "standard_hours": row.standard_hours,
    }  # fmt: skip
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
