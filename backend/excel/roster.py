"""Roster import: every row validated first; written only when no row is rejected; idempotent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert
from sqlmodel import Session, col, select

from backend.excel import reader, templates
from backend.excel.labels import STAFFING_LABELS
from backend.excel.reader import ImportReport, RowError, SheetRow
from backend.models import Department, Section, Staff, utcnow
from backend.services import grants

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


def read_roster(data: bytes, *, max_rows: int = reader.MAX_ROWS) -> list[SheetRow]:
    """Parse the uploaded roster (no database); raise WorkbookError for an unreadable file."""
    columns = templates.ROSTER
    return reader.read_rows(data, templates.titles(columns), templates.required(columns),
                            max_rows=max_rows)  # fmt: skip


def validate_roster(session: Session, rows: list[SheetRow]) -> tuple[list[RosterRow], ImportReport]:
    """Check every row against the departments (a read); the report lists each bad cell."""
    report = ImportReport(kind="roster", rows=len(rows))
    return _validate_all(session, rows, report), report


def import_roster(
    session: Session, data: bytes, *, requested_by: int | None = None
) -> ImportReport:
    """Validate every row; when all pass, create or update the staff (re-import: no change).

    Roles beyond plain staff are only requested (see `request_role_grants`), never granted.
    """
    valid, report = validate_roster(session, read_roster(data))
    if report.errors:
        return report
    sections = ensure_sections(session, valid)
    write_roster(session, valid, sections, report)
    request_role_grants(session, valid, requested_by=requested_by)
    return report


def request_role_grants(
    session: Session, rows: list[RosterRow], *, requested_by: int | None
) -> int:
    """Ask an administrator to confirm the roles rows name beyond what members hold; count."""
    wanted = {row.userid: row.role for row in rows}
    ids = session.exec(
        select(Staff.wecom_userid, Staff.id).where(col(Staff.wecom_userid).in_(list(wanted)))
    )
    by_staff = {staff_id: wanted[userid] for userid, staff_id in ids.all()}
    return grants.request_grants(session, wanted=by_staff, requested_by=requested_by,
                                 source="roster_import")  # fmt: skip


def section_pairs(rows: list[RosterRow]) -> set[tuple[int, str]]:
    """Return the (department, section name) pairs the rows name."""
    return {(row.department_id, row.section) for row in rows if row.section}


def ensure_sections(session: Session, rows: list[RosterRow]) -> dict[tuple[int, str], int]:
    """Create the sections the rows name that do not exist yet; return every pair's id."""
    wanted = section_pairs(rows)
    found = {(s.department_id, s.name): s.id for s in session.exec(select(Section))}
    for department_id, name in sorted(wanted - found.keys()):
        section = Section(department_id=department_id, name=name)
        session.add(section)
        session.flush()
        found[(department_id, name)] = section.id
    return found


def write_roster(
    session: Session, rows: list[RosterRow], sections: dict, report: ImportReport
) -> None:
    """Create or update the staff of these rows (idempotent: a second run changes nothing)."""
    userids = [row.userid for row in rows]
    known = {s.wecom_userid: s for s in session.exec(
        select(Staff).where(col(Staff.wecom_userid).in_(userids)))}  # fmt: skip
    created = []
    for row in rows:
        created += _apply(session, row, known.get(row.userid), sections, report)
    if created:  # one multi-row INSERT: the ORM's unit of work costs ≈0.5 ms a row
        session.execute(insert(Staff), created)
    session.flush()


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


def _apply(session: Session, row: RosterRow, staff, sections: dict, report) -> list[dict]:
    section_id = sections.get((row.department_id, row.section)) if row.section else None
    wanted = {
        "name": row.name, "department_id": row.department_id, "section_id": section_id,
        "staffing_type": row.staffing_type, "post": row.post, "is_leader": row.is_leader,
        "is_principal_head": row.is_principal_head, "public_facing": row.public_facing,
        "role": grants.held_role(row.role, staff.role if staff else None),
        "active": row.active, "joined_on": row.joined_on,
    }  # fmt: skip
    if staff is None:
        report.created += 1
        return [{"wecom_userid": row.userid, "created_at": utcnow(), **wanted}]
    changed = {k: v for k, v in wanted.items() if getattr(staff, k) != v}
    for key, value in changed.items():
        setattr(staff, key, value)
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1
    return []
