"""Roster import: every row validated first; written only when no row is rejected; idempotent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from backend.excel import reader, templates
from backend.excel.labels import STAFFING_LABELS
from backend.excel.reader import ImportReport, RowError, SheetRow
from backend.models import Department, Section, Staff

USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
STAFFING_BY_LABEL = {label: code for code, label in STAFFING_LABELS.items()} | {
    "行政编制": "administrative", "工勤编制": "logistics", "工勤": "logistics",
    **{code: code for code in STAFFING_LABELS},
}  # fmt: skip
ROLES = templates.ROLE_LABELS | {code: code for code in templates.ROLE_LABELS.values()}


@dataclass(frozen=True)
class RosterRow:
    """One validated roster row."""

    number: int
    department_id: int
    section: str
    name: str
    userid: str
    staffing_type: str
    post: str
    is_leader: bool
    is_principal_head: bool
    public_facing: bool
    role: str
    active: bool
    joined_on: date | None


def import_roster(session: Session, data: bytes) -> ImportReport:
    """Validate every row; when all pass, create or update the staff (re-import: no change)."""
    columns = templates.ROSTER
    rows = reader.read_rows(data, templates.titles(columns), templates.required(columns))
    report = ImportReport(kind="roster", rows=len(rows))
    valid = _validate_all(session, rows, report)
    if report.errors:
        return report
    for row in valid:
        _apply(session, row, report)
    session.flush()
    return report


def _validate_all(session: Session, rows: list[SheetRow], report: ImportReport) -> list[RosterRow]:
    departments = department_index(session)
    seen: dict[str, int] = {}
    valid = []
    for row in rows:
        errors: list[RowError] = []
        parsed = _validate(row, departments, errors)
        if parsed is not None and parsed.userid in seen:
            errors.append(
                RowError(row.number, "企业微信账号", f"与第 {seen[parsed.userid]} 行重复")
            )
        if parsed is not None and not errors:
            seen[parsed.userid] = row.number
            valid.append(parsed)
        report.errors.extend(errors)
    return valid


def department_index(session: Session) -> dict[str, int]:
    """Map department names and short names to ids."""
    index = {}
    for department in session.exec(select(Department)):
        if department.short_name:
            index.setdefault(department.short_name, department.id)
        index[department.name] = department.id
    return index


def _validate(row: SheetRow, departments: dict[str, int], errors: list[RowError]):
    cells = row.cells

    def fail(column: str, reason: str) -> None:
        errors.append(RowError(row.number, column, reason))

    department_id = _department_id(cells, departments, fail)
    name, userid = _bounded(cells, "姓名", 50, fail, required=True), _userid(cells, fail)
    staffing = reader.choice(cells, "编制类型", STAFFING_BY_LABEL, fail, required=True)
    flags = [_flag(cells, t, fail) for t in ("占领导职数", "主要负责人", "面向群众")]
    role = reader.choice(cells, "角色", ROLES, fail) or "staff"
    active, joined = _flag(cells, "在职", fail, default=True), _joined(cells, fail)
    section, post = _bounded(cells, "科室", 100, fail), _bounded(cells, "职务", 50, fail)
    if errors:
        return None
    return RosterRow(row.number, department_id, section, name, userid, staffing, post,
                     *flags, role, active, joined)  # fmt: skip


def _department_id(cells: dict, departments: dict[str, int], fail) -> int | None:
    department = reader.text(cells.get("部门"))
    if not department:
        fail("部门", "必填")
    elif department not in departments:
        fail("部门", f"找不到部门“{department}”，请先在“组织”中添加或同步")
    return departments.get(department)


def _userid(cells: dict, fail) -> str:
    userid = reader.text(cells.get("企业微信账号"))
    if not userid:
        fail("企业微信账号", "必填")
    elif not USERID.match(userid):
        fail("企业微信账号", "只能包含字母、数字和 _ . @ -，不超过 64 位")
    return userid


def _bounded(cells: dict, column: str, limit: int, fail, *, required: bool = False) -> str:
    value = reader.text(cells.get(column))
    if required and not value:
        fail(column, "必填")
    elif len(value) > limit:
        fail(column, f"不能超过 {limit} 字")
    return value


def _flag(cells: dict, column: str, fail, *, default: bool = False) -> bool:
    raw = cells.get(column)
    if reader.text(raw) == "":
        return default
    value = reader.yes_no(raw)
    if value is None:
        fail(column, "应填“是”或“否”")
        return default
    return value


def _joined(cells: dict, fail) -> date | None:
    try:
        return reader.day(cells.get("入职日期"))
    except (ValueError, TypeError):
        fail("入职日期", "日期格式应为 YYYY-MM-DD")
        return None


def _apply(session: Session, row: RosterRow, report: ImportReport) -> None:
    section_id = _section_id(session, row.department_id, row.section, report)
    wanted = {
        "name": row.name, "department_id": row.department_id, "section_id": section_id,
        "staffing_type": row.staffing_type, "post": row.post, "is_leader": row.is_leader,
        "is_principal_head": row.is_principal_head, "public_facing": row.public_facing,
        "role": row.role, "active": row.active, "joined_on": row.joined_on,
    }  # fmt: skip
    staff = session.exec(select(Staff).where(Staff.wecom_userid == row.userid)).first()
    if staff is None:
        session.add(Staff(wecom_userid=row.userid, **wanted))
        report.created += 1
        return
    changed = {k: v for k, v in wanted.items() if getattr(staff, k) != v}
    for key, value in changed.items():
        setattr(staff, key, value)
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _section_id(session: Session, department_id: int, name: str, report: ImportReport):
    if not name:
        return None
    stmt = select(Section).where(Section.department_id == department_id, Section.name == name)
    section = session.exec(stmt).first()
    if section is None:
        section = Section(department_id=department_id, name=name)
        session.add(section)
        session.flush()
    return section.id
