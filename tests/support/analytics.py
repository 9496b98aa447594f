"""Fixture departments with known answers for analytics, charts and reports tests.

`add_known_department` builds 县工业和信息化局 with an affiliated institution so that, over
`KNOWN_START`–`KNOWN_END`, the metrics equal the seeds' figures: duty coverage 94 of 132 (71.21%),
hours on core / general / auxiliary duties 51.2% / 33.7% / 15.1% (2,560 / 1,685 / 755 of 5,000 h),
business work 77.78% of entries (490 of 630) and 76.18% of hours (3,809 of 5,000 h).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert
from sqlmodel import Session

from backend.models import (
    Department,
    DepartmentKind,
    Duty,
    DutyEntry,
    EntryStatus,
    FunctionType,
    Section,
    Staff,
    StaffingType,
    TaskType,
)
from backend.models.entries import DEFAULT_TASK_TYPES
from backend.schedule.workdays import STATUTORY

KNOWN_START = date(2026, 1, 5)
KNOWN_END = date(2026, 5, 29)
CORE, GENERAL, AUX = FunctionType.CORE, FunctionType.GENERAL, FunctionType.AUXILIARY

# (function type, duties in the department, in the institution, used there, used here)
CATALOGUE = [
    (CORE, 50, 10, 38, 7),
    (GENERAL, 45, 7, 30, 5),
    (AUX, 17, 3, 12, 2),
]
# (function type, task type, entries, hours): business 490 entries / 3,809 h of 630 / 5,000.
CELLS = [
    (CORE, "business", 260, 2000.0),
    (CORE, "party", 70, 560.0),
    (GENERAL, "business", 165, 1300.0),
    (GENERAL, "petition", 50, 385.0),
    (AUX, "business", 65, 509.0),
    (AUX, "finance_hr", 20, 246.0),
]


@dataclass
class KnownDepartment:
    """What `add_known_department` created."""

    department: Department
    institution: Department
    members: list[Staff]
    leader: Staff
    unused_duty: Duty


def add_task_types(session: Session) -> None:
    """Insert the five task types."""
    for code, name, order, hours in DEFAULT_TASK_TYPES:
        session.add(TaskType(code=code, name=name, sort_order=order, standard_hours=hours))
    session.flush()


def add_known_department(session: Session) -> KnownDepartment:
    """Build the known-answer department, its institution, members, duties and 630 entries."""
    department = _unit(session, "县工业和信息化局", None)
    institution = _unit(session, "县中小企业服务中心", department)
    sections = [_section(session, department, name) for name in ("综合股", "产业发展股")]
    service = _section(session, institution, "服务股")
    members = [
        _member(session, "gx1", "周明", department, sections[0]),
        _member(session, "gx2", "吴芳", department, sections[0]),
        _member(session, "gx3", "郑强", department, sections[1]),
        _member(session, "gx4", "孙丽", department, sections[1], StaffingType.NON_ESTABLISHED),
        _member(session, "gx5", "钱勇", department, None, StaffingType.LOGISTICS),
        _member(session, "zx1", "冯洁", institution, service, StaffingType.INSTITUTION),
        _member(session, "zx2", "陈涛", institution, None, StaffingType.INSTITUTION),
    ]
    leader = _member(session, "gxld", "黄局长", department, None, leader=True)
    used, unused = _catalogue(session, department, institution)
    _entries(session, members, used)
    _noise(session, leader, members[0], unused)
    session.commit()
    return KnownDepartment(department, institution, members, leader, unused)


def _unit(session: Session, name: str, parent: Department | None) -> Department:
    unit = Department(
        name=name,
        kind=DepartmentKind.INSTITUTION if parent else DepartmentKind.DEPARTMENT,
        parent_id=parent.id if parent else None,
    )
    session.add(unit)
    session.flush()
    return unit


def _section(session: Session, department: Department, name: str) -> Section:
    section = Section(department_id=department.id, name=name)
    session.add(section)
    session.flush()
    return section


def _member(session, userid, name, unit, section, staffing=None, *, leader=False) -> Staff:
    member = Staff(
        wecom_userid=userid,
        name=name,
        department_id=unit.id,
        section_id=section.id if section else None,
        staffing_type=staffing or StaffingType.ADMINISTRATIVE,
        is_leader=leader,
    )
    session.add(member)
    session.flush()
    return member


def _catalogue(session, department, institution) -> tuple[dict[FunctionType, list[Duty]], Duty]:
    """Create 132 duties; return the 94 used ones by function type and one unused duty."""
    used: dict[FunctionType, list[Duty]] = {}
    unused: list[Duty] = []
    seqs = {department.id: 0, institution.id: 0}
    for kind, here, there, used_here, used_there in CATALOGUE:
        used[kind] = []
        for unit, count, in_use in (
            (department, here, used_here),
            (institution, there, used_there),
        ):
            for index in range(count):
                seqs[unit.id] += 1
                duty = Duty(
                    department_id=unit.id,
                    seq=seqs[unit.id],
                    title=f"职责{seqs[unit.id]}",
                    function_type=kind,
                )
                session.add(duty)
                (used[kind] if index < in_use else unused).append(duty)
    session.flush()
    return used, unused[0]


def split_hours(total: float, count: int) -> list[float]:
    """Split `total` hours into `count` half-hour multiples that add up exactly."""
    base = int(total * 2 // count) / 2
    extra = int((total - base * count) * 2)
    return [base + 0.5 if index < extra else base for index in range(count)]


def _entries(session, members: list[Staff], used: dict[FunctionType, list[Duty]]) -> None:
    workdays = STATUTORY.workdays_between(KNOWN_START, KNOWN_END)
    by_unit = {}
    for member in members:
        by_unit.setdefault(member.department_id, []).append(member)
    rows, turn = [], 0
    for kind, task_type, count, hours in CELLS:
        for index, amount in enumerate(split_hours(hours, count)):
            duty = used[kind][index % len(used[kind])]
            people = by_unit[duty.department_id]
            member = people[turn % len(people)]
            rows.append(_row(member, duty, task_type, amount, workdays[turn % len(workdays)], turn))
            turn += 1
    session.execute(insert(DutyEntry), rows)


def _row(member, duty, task_type, hours, day, turn) -> dict:
    status = EntryStatus.APPROVED if turn % 3 else EntryStatus.SUBMITTED
    return {
        "staff_id": member.id,
        "department_id": member.department_id,
        "section_id": member.section_id,
        "work_date": day,
        "duty_id": duty.id,
        "task_type_code": task_type,
        "hours": hours,
        "description": f"办理第{turn}项工作",
        "status": status.value,
        "flags": "",
    }


def _noise(session, leader: Staff, member: Staff, duty: Duty) -> None:
    """Entries that must not count: a leader's, and a member's outside the period."""
    rows = [
        _row(leader, duty, "business", 8.0, KNOWN_START, 9001),
        _row(member, duty, "business", 8.0, date(2025, 12, 31), 9002),
        _row(member, duty, "business", 8.0, date(2026, 6, 1), 9003),
    ]
    session.execute(insert(DutyEntry), rows)
