"""Seed a deterministic demo county: organisation, staff, duties, key tasks and entries."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Table, delete
from sqlmodel import Session, SQLModel, select

from backend.demo.county import SHANGHAI, DemoUnit, Period, add_key_tasks, build_units
from backend.demo.entries import add_entries
from backend.demo.evaluation import add_evaluation
from backend.demo.public import add_public
from backend.demo.staff import add_staff
from backend.demo.staffing import add_staffing
from backend.models import Conversation, Department, Survey, TaskType
from backend.models.entries import DEFAULT_TASK_TYPES
from backend.models.evaluation import IndicatorTree


@dataclass(frozen=True)
class DemoSummary:
    """What `seed_demo` inserted."""

    departments: int
    offices: int
    institutions: int
    sections: int
    staff: int
    duties: int
    key_tasks: int
    entries: int

    def __str__(self) -> str:
        return (
            f"部门 {self.departments} 个（另有县委编办 {self.offices} 个），"
            f"事业单位 {self.institutions} 个，科室 {self.sections} 个，人员 {self.staff} 人，"
            f"职责 {self.duties} 条，重点任务 {self.key_tasks} 项，履职数据 {self.entries} 条"
        )


def seed_demo(
    session: Session,
    *,
    seed: int = 2026,
    end_date: date | None = None,
    weeks: int = 10,
    staff_count: int = 300,
    replace: bool = False,
) -> DemoSummary:
    """Fill an empty database with the demo county; same seed and end date, same rows."""
    if weeks < 1:
        raise ValueError("周数至少为 1 (weeks must be at least 1)")
    end = end_date or datetime.now(SHANGHAI).date()
    period = Period(start=end - timedelta(weeks=weeks) + timedelta(days=1), end=end)
    _make_room(session, replace)
    rng = random.Random(seed)
    _add_task_types(session)
    units = build_units(session, rng, period.start - timedelta(days=30))
    key_tasks = add_key_tasks(session, rng, units, end.year)
    members = add_staff(session, rng, units, staff_count, period)
    entries = add_entries(session, rng, members, period)
    # Its own generator: the staffing data never shifts the rows above for the same seed.
    add_staffing(session, random.Random(seed + 1), units, members, period)
    add_evaluation(session, random.Random(seed + 2), units, period)
    add_public(session, random.Random(seed + 3), period)
    session.flush()
    return _summary(units, len(members), key_tasks, entries)


def _make_room(session: Session, replace: bool) -> None:
    """Refuse to seed over an organisation, or delete it (and all that hangs on it) first."""
    if session.exec(select(Department.id).limit(1)).first() is None:
        return
    if not replace:
        raise ValueError(
            "数据库中已有部门数据，如需替换请使用 --replace "
            "(the database already has departments; pass replace=True to delete them first)"
        )
    session.flush()
    for table in reversed(_organisation_tables()):
        session.exec(delete(table))
    session.exec(delete(Conversation))
    session.expunge_all()


def _organisation_tables() -> list[Table]:
    """Return the department, indicator tree and survey tables and every table referring to them."""
    roots = {Department.__tablename__, IndicatorTree.__tablename__, Survey.__tablename__}
    found: list[Table] = []
    for table in SQLModel.metadata.sorted_tables:
        parents = {key.column.table for key in table.foreign_keys} - {table}
        if table.name in roots or parents & set(found):
            found.append(table)
    return found


def _add_task_types(session: Session) -> None:
    for code, name, order, hours in DEFAULT_TASK_TYPES:
        if session.get(TaskType, code) is None:
            session.add(TaskType(code=code, name=name, sort_order=order, standard_hours=hours))
    session.flush()


def _summary(units: list[DemoUnit], staff: int, key_tasks: int, entries: int) -> DemoSummary:
    departments = [u for u in units if u.parent is None]
    return DemoSummary(
        departments=len(departments) - 1,
        offices=1,
        institutions=len(units) - len(departments),
        sections=sum(len(u.sections) for u in units),
        staff=staff,
        duties=sum(len(u.duties) for u in units),
        key_tasks=key_tasks,
        entries=entries,
    )
