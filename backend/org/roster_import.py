"""Roster import: every row validated first; written only when no row is rejected; idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert
from sqlmodel import Session, col, select

from backend.excel import importer
from backend.excel.importer import Fail, ParsedRow, ParsedSheet
from backend.excel.reader import MAX_ROWS, ImportReport
from backend.models import Department, Section, Staff, WorkPattern, saved_id, utcnow
from backend.org import grants, work_patterns
from backend.org.roster_spec import PERSONAL, ROSTER_SPEC

__all__ = ["ROSTER_SPEC", "RosterRow", "import_roster", "read_roster", "validate_roster"]


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
    birth_date: date | None = None
    gender: str | None = None
    education: str | None = None
    work_days: str | None = None  # ISO weekday digits; "" the office calendar; None unchanged


def read_roster(data: bytes, *, max_rows: int = MAX_ROWS) -> ParsedSheet:
    """Parse the uploaded roster (no database); raise WorkbookError for an unreadable file."""
    return importer.read_sheet(data, ROSTER_SPEC, max_rows=max_rows)


def validate_roster(session: Session, parsed: ParsedSheet) -> tuple[list[RosterRow], ImportReport]:
    """Check every row against the departments (a read); the report lists each bad cell."""
    departments = department_index(session)
    seen: dict[str, int] = {}
    return importer.validate(parsed, lambda row, fail: _check(row, fail, departments, seen))


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
    by_staff = {staff_id: wanted[userid] for userid, staff_id in ids.all() if staff_id is not None}
    return grants.request_grants(
        session, wanted=by_staff, requested_by=requested_by, source="roster_import"
    )


def section_pairs(rows: list[RosterRow]) -> set[tuple[int, str]]:
    """Return the (department, section name) pairs the rows name."""
    return {(row.department_id, row.section) for row in rows if row.section}


def ensure_sections(session: Session, rows: list[RosterRow]) -> dict[tuple[int, str], int]:
    """Create the sections the rows name that do not exist yet; return every pair's id."""
    wanted = section_pairs(rows)
    found = {(s.department_id, s.name): saved_id(s) for s in session.exec(select(Section))}
    for department_id, name in sorted(wanted - found.keys()):
        section = Section(department_id=department_id, name=name)
        session.add(section)
        session.flush()
        found[(department_id, name)] = saved_id(section)
    return found


def write_roster(
    session: Session, rows: list[RosterRow], sections: dict, report: ImportReport
) -> None:
    """Create or update the staff of these rows (idempotent: a second run changes nothing)."""
    userids = [row.userid for row in rows]
    known = {
        s.wecom_userid: s
        for s in session.exec(select(Staff).where(col(Staff.wecom_userid).in_(userids)))
    }
    patterns = own_patterns(session, [saved_id(s) for s in known.values()])
    created = []
    for row in rows:
        staff = known.get(row.userid)
        moved = staff is not None and _pattern_changes(row, patterns.get(saved_id(staff), ""))
        created += _apply(session, row, staff, sections, report, pattern_moved=moved)
    if created:  # one multi-row INSERT: the ORM's unit of work costs ≈0.5 ms a row
        session.execute(insert(Staff), created)
    session.flush()
    write_patterns(session, rows, patterns)


def own_patterns(session: Session, staff_ids: list[int]) -> dict[int, str]:
    """Return the members' own weekly patterns (ISO digits) by staff id."""
    if not staff_ids:
        return {}
    stmt = select(WorkPattern.staff_id, WorkPattern.weekdays).where(
        col(WorkPattern.staff_id).in_(staff_ids)
    )
    return {staff_id: days for staff_id, days in session.exec(stmt).all() if staff_id is not None}


def _pattern_changes(row: RosterRow, current: str) -> bool:
    return row.work_days is not None and row.work_days != current


def write_patterns(session: Session, rows: list[RosterRow], patterns: dict[int, str]) -> None:
    """Set or clear the own pattern of each row with a 工作日 that differs from the stored one."""
    wanted = {row.userid: row.work_days for row in rows if row.work_days is not None}
    if not wanted:
        return
    ids = session.exec(
        select(Staff.wecom_userid, Staff.id).where(col(Staff.wecom_userid).in_(list(wanted)))
    ).all()
    for userid, staff_id in ids:
        days = wanted[userid]
        if staff_id is None or patterns.get(staff_id, "") == days:
            continue
        if days:
            work_patterns.set_pattern(session, staff_id=staff_id, weekdays=days, note="名册导入")
        else:
            work_patterns.clear_pattern(session, staff_id=staff_id)


def department_index(session: Session) -> dict[str, int]:
    """Map department names and short names to ids."""
    index: dict[str, int] = {}
    for department in session.exec(select(Department)):
        if department.short_name:
            index.setdefault(department.short_name, saved_id(department))
        index[department.name] = saved_id(department)
    return index


def _check(row: ParsedRow, fail: Fail, departments: dict, seen: dict) -> RosterRow | None:
    """Check a parsed row's department and that its account is not listed twice."""
    department_id = department_of(row, departments, fail)
    if row.failed or department_id is None:
        return None
    values = dict(row.values)
    del values["department"]
    if values["userid"] in seen:
        fail("企业微信账号", f"与第 {seen[values['userid']]} 行重复")
        return None
    seen[values["userid"]] = row.number
    return RosterRow(row.number, department_id, **values)


def department_of(row: ParsedRow, departments: dict[str, int], fail: Fail) -> int | None:
    """Return the id of the row's department, reporting a name that is not in the index."""
    name = row.values.get("department")
    if name and name not in departments:
        fail("部门", f"找不到部门“{name}”，请先在“组织”中添加或同步")
    return departments.get(name) if name else None


def _apply(
    session: Session, row: RosterRow, staff, sections: dict, report, *, pattern_moved: bool
) -> list[dict]:
    section_id = sections.get((row.department_id, row.section)) if row.section else None
    wanted = {
        "name": row.name,
        "department_id": row.department_id,
        "section_id": section_id,
        "staffing_type": row.staffing_type,
        "post": row.post,
        "is_leader": row.is_leader,
        "is_principal_head": row.is_principal_head,
        "public_facing": row.public_facing,
        "role": grants.held_role(row.role, staff.role if staff else None),
        "active": row.active,
        "joined_on": row.joined_on,
    }
    personal = {key: getattr(row, key) for key in PERSONAL}
    if staff is None:
        report.created += 1
        return [{"wecom_userid": row.userid, "created_at": utcnow(), **wanted, **personal}]
    wanted |= {key: value for key, value in personal.items() if value is not None}
    changed = {k: v for k, v in wanted.items() if getattr(staff, k) != v}
    for key, value in changed.items():
        setattr(staff, key, value)
    if changed or pattern_moved:
        report.updated += 1
    else:
        report.unchanged += 1
    return []
