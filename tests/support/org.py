"""A small fixture county for conversation and delivery tests."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from backend.models import (
    ChatTargetKind,
    Department,
    DepartmentKind,
    Duty,
    FunctionType,
    KeyTask,
    KeyTaskDuty,
    Role,
    Section,
    Staff,
    StaffingType,
    TaskType,
)
from backend.models.entries import DEFAULT_TASK_TYPES

WEBHOOK_KEY = "8f2b6a9e-0c1d-4e5f-9a7b-3c2d1e0f9a8b"
APPCHAT_ID = "dept3"


def add_small_county(session: Session) -> dict[str, object]:
    """Insert two departments (one with an institution), sections, staff and duties."""
    for code, name, order, hours in DEFAULT_TASK_TYPES:
        session.add(TaskType(code=code, name=name, sort_order=order, standard_hours=hours))
    market = _department(session, "县市场监督管理局", 2, ChatTargetKind.WEBHOOK, WEBHOOK_KEY)
    civil = _department(session, "县民政局", 3, ChatTargetKind.APPCHAT, APPCHAT_ID)
    lab = _department(session, "县食品药品检验所", 4, None, None, parent=market)
    office = _section(session, market, "办公室")
    food = _section(session, market, "食品安全监管股")
    _section(session, civil, "社会救助股")
    people = {
        "alice": _staff(session, "alice", "李晓燕", market, food),
        "bob": _staff(session, "bob", "王建国", market, office),
        "carol": _staff(session, "carol", "陈静", market, office, role=Role.REVIEWER),
        "dave": _staff(session, "dave", "张伟", market, office, head=True),
        "erin": _staff(session, "erin", "刘芳", civil, None),
        "frank": _staff(session, "frank", "赵磊", lab, None, staffing=StaffingType.INSTITUTION),
    }
    for seq, (title, kind) in enumerate(MARKET_DUTIES, start=1):
        session.add(Duty(department_id=market.id, seq=seq, title=title, function_type=kind))
    session.flush()
    return {"departments": [market, civil, lab], "staff": people}


MARKET_DUTIES = [
    ("负责食品安全监督管理，组织开展食品生产经营监督检查", FunctionType.CORE),
    ("负责市场主体登记注册和信用监管", FunctionType.CORE),
    ("负责消费者权益保护，受理投诉举报", FunctionType.GENERAL),
    ("负责机关党建和精神文明建设", FunctionType.AUXILIARY),
]


def _department(session, name, wecom_id, kind, target, parent=None) -> Department:
    department = Department(
        name=name,
        kind=DepartmentKind.INSTITUTION if parent else DepartmentKind.DEPARTMENT,
        parent_id=parent.id if parent else None,
        wecom_department_id=wecom_id,
        chat_target_kind=kind,
        chat_target=target,
    )
    session.add(department)
    session.flush()
    return department


def _section(session, department, name) -> Section:
    section = Section(department_id=department.id, name=name)
    session.add(section)
    session.flush()
    return section


def _staff(
    session,
    userid,
    name,
    department,
    section,
    *,
    role=Role.STAFF,
    head=False,
    staffing=StaffingType.ADMINISTRATIVE,
) -> Staff:
    member = Staff(
        wecom_userid=userid,
        name=name,
        department_id=department.id,
        section_id=section.id if section else None,
        staffing_type=staffing,
        post="局长" if head else "科员",
        is_leader=head,
        is_principal_head=head,
        role=Role.HEAD if head else role,
        joined_on=date(2020, 1, 1),
    )
    session.add(member)
    session.flush()
    return member


PETITION_DUTY = "负责信访接待，接待来访群众，办理信访事项"
KEY_TASK = "开展食品安全放心工程三年行动"
CIVIL_DUTIES = [
    "负责社会救助工作，组织实施最低生活保障",
    "负责特困人员救助供养",
    "负责临时救助和流浪乞讨人员救助",
    "负责养老服务体系建设",
    "负责婚姻登记管理",
    "负责殡葬管理和殡葬改革",
    "负责儿童福利和未成年人保护",
    "负责社会组织登记和监督管理",
    "负责行政区划和地名管理",
    "负责基层政权和社区建设",
    "负责慈善事业和社会工作",
    "负责机关党建和精神文明建设",
]


def add_entry_extras(session: Session) -> dict[str, int]:
    """Add a petition duty (seq 5) and a key task linked to duty 1 to 县市场监督管理局."""
    market = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
    petition = Duty(
        department_id=market.id,
        seq=5,
        title=PETITION_DUTY,
        function_type=FunctionType.GENERAL,
        default_task_type_code="petition",
    )
    task = KeyTask(department_id=market.id, year=2026, title=KEY_TASK)
    session.add_all([petition, task])
    session.flush()
    food = session.exec(select(Duty).where(Duty.department_id == market.id, Duty.seq == 1)).one()
    session.add(KeyTaskDuty(key_task_id=task.id, duty_id=food.id))
    session.flush()
    return {"petition_duty": petition.id, "key_task": task.id, "food_duty": food.id}


def add_long_catalogue(session: Session) -> None:
    """Give 县民政局 a catalogue longer than one screen (12 duties)."""
    civil = session.exec(select(Department).where(Department.name == "县民政局")).one()
    for seq, title in enumerate(CIVIL_DUTIES, start=1):
        kind = FunctionType.CORE if seq <= 6 else FunctionType.GENERAL
        session.add(Duty(department_id=civil.id, seq=seq, title=title, function_type=kind))
    session.flush()


def add_many_staff(session: Session, count: int) -> list[str]:
    """Add `count` staff members to 县市场监督管理局; return their WeCom userids."""
    market = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
    userids = [f"member{i:03d}" for i in range(count)]
    for userid in userids:
        _staff(session, userid, f"成员{userid[-3:]}", market, None)
    return userids


def department_id(session: Session, name: str) -> int:
    """Return the id of the department with this name (it must exist)."""
    found = session.exec(select(Department.id).where(Department.name == name)).one()
    assert found is not None
    return found
