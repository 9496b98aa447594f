"""Build the demo county's units: departments, institutions, sections, duties and key tasks."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from backend.demo.catalogue import DEPARTMENTS, STAFFING_OFFICE, DutySpec, UnitSpec
from backend.models import (
    ChatTargetKind,
    Department,
    DepartmentKind,
    Duty,
    FunctionType,
    KeyTask,
    KeyTaskDuty,
    Section,
    Staff,
    saved_id,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
STANDARD_HOURS = {"core": (8.0,), "general": (6.0, 8.0), "auxiliary": (4.0, 6.0)}


@dataclass(frozen=True)
class Period:
    """The days the demo entries cover, both included."""

    start: date
    end: date


@dataclass
class DemoDuty:
    """A duty row with what the entry generator needs to know about it."""

    id: int
    spec: DutySpec
    section_id: int
    standard_hours: float | None = None
    dormant: bool = False
    key_task_ids: list[int] = field(default_factory=list)


@dataclass
class DemoUnit:
    """A department or institution as built, with its rows and generator hints."""

    spec: UnitSpec
    row: Department
    parent: DemoUnit | None = None
    sections: list[Section] = field(default_factory=list)
    duties: list[DemoDuty] = field(default_factory=list)
    reviewer: Staff | None = None
    backlog: float = 0.0  # share of older entries its reviewer has not reached
    diligence: float = 0.0  # added to each member's logging rate

    @property
    def top(self) -> DemoUnit:
        """Return the department this unit belongs to (itself for a department)."""
        return self.parent or self


def local_time(day: date, hour: int, minute: int = 0) -> datetime:
    """Return an aware UTC datetime for a Shanghai wall-clock time on `day`."""
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def build_units(session: Session, rng: random.Random, created: date) -> list[DemoUnit]:
    """Insert every unit with sections and duties; the staffing office comes last."""
    units: list[DemoUnit] = []
    for order, spec in enumerate((*DEPARTMENTS, STAFFING_OFFICE), start=1):
        department = _add_unit(session, units, spec, None, order * 100, created)
        for offset, child in enumerate(spec.institutions, start=1):
            _add_unit(session, units, child, department, order * 100 + offset, created)
    departments = [u for u in units if u.parent is None]
    _assign_chat_targets(rng, departments)
    for department in departments:
        department.backlog = rng.uniform(0.0, 0.08)
        department.diligence = rng.uniform(-0.08, 0.04)
    session.flush()
    for demo_unit in units:
        _add_sections_and_duties(session, rng, demo_unit)
    return units


def _add_unit(
    session: Session,
    units: list[DemoUnit],
    spec: UnitSpec,
    parent: DemoUnit | None,
    sort_order: int,
    created: date,
) -> DemoUnit:
    row = Department(
        name=spec.name,
        short_name=spec.short,
        kind=DepartmentKind.INSTITUTION if parent else DepartmentKind.DEPARTMENT,
        parent_id=parent.row.id if parent else None,
        wecom_department_id=len(units) + 2,
        sort_order=sort_order,
        created_at=local_time(created, 9),
    )
    session.add(row)
    session.flush()
    demo_unit = DemoUnit(spec=spec, row=row, parent=parent)
    units.append(demo_unit)
    return demo_unit


def _assign_chat_targets(rng: random.Random, departments: list[DemoUnit]) -> None:
    webhooks = set(rng.sample(range(len(departments)), k=round(len(departments) * 2 / 3)))
    for index, demo_unit in enumerate(departments):
        row = demo_unit.row
        if index in webhooks:
            row.chat_target_kind = ChatTargetKind.WEBHOOK
            row.chat_target = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        else:
            row.chat_target_kind = ChatTargetKind.APPCHAT
            row.chat_target = f"dept{row.wecom_department_id}"


def route_groups_for_channel(session: Session, channel: str) -> int:
    """Move the app group chats onto the bot's route in long-connection mode, and back.

    An intranet office has no app visible to the root department, so its groups are the ones
    the intelligent bot was added to, with a message-push key for charts and files. Returns
    how many groups moved.
    """
    to_bot = channel == "longconn"
    was = ChatTargetKind.APPCHAT if to_bot else ChatTargetKind.BOT
    rows = session.exec(select(Department).where(col(Department.chat_target_kind) == was)).all()
    for row in rows:
        row.chat_target_kind = ChatTargetKind.BOT if to_bot else ChatTargetKind.APPCHAT
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"lvzhi-demo:{row.chat_target}")
        row.chat_webhook_key = str(key) if to_bot else None
        session.add(row)
    return len(rows)


def _add_sections_and_duties(session: Session, rng: random.Random, demo_unit: DemoUnit) -> None:
    unit_id = saved_id(demo_unit.row)
    demo_unit.sections = [Section(department_id=unit_id, name=n) for n in demo_unit.spec.sections]
    session.add_all(demo_unit.sections)
    rows = [_duty_row(rng, unit_id, seq, spec) for seq, spec in enumerate(demo_unit.spec.duties, 1)]
    session.add_all(rows)
    session.flush()
    homes = _home_sections(demo_unit)
    dormant = _dormant_duties(rng, demo_unit.spec.duties)
    demo_unit.duties = [
        DemoDuty(saved_id(row), spec, homes[i], row.standard_hours, i in dormant)
        for i, (row, spec) in enumerate(zip(rows, demo_unit.spec.duties, strict=True))
    ]


def _duty_row(rng: random.Random, unit_id: int, seq: int, spec: DutySpec) -> Duty:
    hours = rng.choice(STANDARD_HOURS[spec.kind]) if rng.random() < 0.35 else None
    return Duty(
        department_id=unit_id,
        seq=seq,
        title=spec.title,
        function_type=FunctionType(spec.kind),
        default_task_type_code=spec.task,
        standard_hours=hours,
    )


def _home_sections(demo_unit: DemoUnit) -> list[int]:
    """Give each duty the section that mostly does it: the office takes the auxiliary ones."""
    office, *others = [saved_id(s) for s in demo_unit.sections]
    homes, turn = [], 0
    for spec in demo_unit.spec.duties:
        if spec.kind == "auxiliary" or spec.task == "general":
            homes.append(office)
        else:
            homes.append(others[turn % len(others)])
            turn += 1
    return homes


def _dormant_duties(rng: random.Random, specs: tuple[DutySpec, ...]) -> set[int]:
    """Pick the duties nobody works on, keeping at least one duty of each function type."""
    share = rng.uniform(0.05, 0.35)
    dormant: set[int] = set()
    for kind in ("core", "general"):
        indexes = [i for i, spec in enumerate(specs) if spec.kind == kind]
        chosen = [i for i in indexes if rng.random() < share]
        dormant.update(chosen[: len(indexes) - 1])
    return dormant


def add_key_tasks(session: Session, rng: random.Random, units: list[DemoUnit], year: int) -> int:
    """Insert each department's annual key tasks, each linked to one to three duties."""
    count = 0
    for department in (u for u in units if u.parent is None):
        pool = [d for u in units if u.top is department for d in u.duties]
        for title in department.spec.key_tasks:
            task = KeyTask(department_id=saved_id(department.row), year=year, title=title)
            session.add(task)
            session.flush()
            for duty in _linked_duties(rng, title, pool):
                session.add(KeyTaskDuty(key_task_id=saved_id(task), duty_id=duty.id))
                duty.key_task_ids.append(saved_id(task))
            count += 1
    session.flush()
    return count


def _linked_duties(rng: random.Random, title: str, pool: list[DemoDuty]) -> list[DemoDuty]:
    """Return the duty whose wording best matches the task, plus up to two related ones."""
    candidates = [d for d in pool if d.spec.kind != "auxiliary"]
    best = max(candidates, key=lambda d: _overlap(title, d.spec.subject + d.spec.title))
    others = [d for d in candidates if d is not best]
    extra = rng.sample(others, k=min(len(others), rng.choice((0, 0, 1, 2))))
    return [best, *extra]


def _overlap(left: str, right: str) -> int:
    pairs = {left[i : i + 2] for i in range(len(left) - 1)}
    return sum(1 for i in range(len(right) - 1) if right[i : i + 2] in pairs)
