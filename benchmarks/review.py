"""Time assisted review over one county week (600 staff x 5 days = 3,000 entries) on SQLite."""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, col, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.db import make_engine
from backend.entries.review import flag_entries
from backend.migrate import upgrade_database
from backend.models import Department, Duty, DutyEntry, Staff, TaskType
from backend.models.entries import DEFAULT_TASK_TYPES

MONDAY = date(2026, 3, 2)
DEPARTMENTS, STAFF_PER_DEPARTMENT, DAYS = 12, 50, 5
RUNS = 3
TARGET_SECONDS = 1.0
PLACES = ["城关镇", "河西乡", "东山镇", "北关街道", "南湖村", "工业园区", "县医院", "二中"]
TEXTS = [
    "检查{place}{n}家餐饮店后厨卫生，责令{m}家整改",
    "受理{place}消费投诉{n}件，电话回访办结{m}件",
    "赴{place}核查{n}户低保家庭收入，{m}户需复核",
    "抽检{place}农贸市场蔬菜样品{n}批次，{m}批次送检",
]
VAGUE = ["开会", "处理日常事务", "学习文件", "调研"]


def populate(session: Session, rng: random.Random) -> int:
    """Insert the organisation and one week of entries; return the entry count."""
    for code, name, order, hours in DEFAULT_TASK_TYPES:
        session.add(TaskType(code=code, name=name, sort_order=order, standard_hours=hours))
    staff, duties = [], []
    for d in range(DEPARTMENTS):
        department = Department(name=f"部门{d}")
        session.add(department)
        session.flush()
        duties += [
            Duty(department_id=department.id, seq=s, title=f"职责{s}", function_type="core")
            for s in range(20)
        ]
        staff += [
            Staff(
                wecom_userid=f"u{d}-{i}",
                name=f"人员{d}-{i}",
                department_id=department.id,
                staffing_type="administrative",
            )
            for i in range(STAFF_PER_DEPARTMENT)
        ]
    session.add_all(staff + duties)
    session.flush()
    rows = [_entry(rng, member, duties, day) for member in staff for day in range(DAYS)]
    session.execute(insert(DutyEntry), rows)
    session.commit()
    return len(rows)


def _entry(rng: random.Random, member: Staff, duties: list[Duty], day: int) -> dict:
    own = [duty for duty in duties if duty.department_id == member.department_id]
    duty = rng.choice(own if rng.random() > 0.02 else duties)
    place, n, m = rng.choice(PLACES), rng.randint(1, 30), rng.randint(1, 30)
    text = rng.choice(TEXTS).format(place=place, n=n, m=m)
    if rng.random() < 0.05:
        text = rng.choice(VAGUE)
    return {
        "staff_id": member.id,
        "department_id": member.department_id,
        "work_date": MONDAY + timedelta(days=day + (2 if rng.random() < 0.01 else 0)),
        "duty_id": duty.id,
        "task_type_code": "business",
        "hours": rng.choice([2.0, 4.0, 6.0, 7.5, 8.0] * 10 + [9.0]),
        "description": text,
    }


def timed(action) -> tuple[float, object]:
    """Run an action; return (seconds, result)."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def best(action) -> tuple[float, object]:
    """Run an action RUNS times; return the best time and the last result."""
    results = [timed(action) for _ in range(RUNS)]
    return min(seconds for seconds, _ in results), results[-1][1]


def main() -> None:
    """Build the database, then time flag_entries against a bare SELECT of the same rows."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade_database(engine)
        with Session(engine) as session:
            count = populate(session, random.Random(7))
        end = MONDAY + timedelta(days=DAYS + 1)
        table = DutyEntry.__table__
        bare = select(table).where(col(DutyEntry.work_date).between(MONDAY, end))
        with Session(engine) as session:
            first_s, flags = timed(lambda: flag_entries(session, start=MONDAY, end=end))
            session.commit()
            again_s, _ = best(lambda: flag_entries(session, start=MONDAY, end=end))
            select_s, rows = best(lambda: session.execute(bare).all())
        engine.dispose()
    report(count, len(rows), flags, select_s, first_s, again_s)


def report(count: int, selected: int, flags: dict, select_s: float, first_s: float, again_s: float):
    """Print the timings and ratios."""
    flagged = sum(1 for codes in flags.values() if codes)
    print(f"entries {count}, selected {selected}, flagged {flagged}")
    print(f"bare SELECT of the rows         {select_s * 1000:7.1f} ms")
    print(f"flag_entries, storing flags     {first_s * 1000:7.1f} ms  {first_s / select_s:5.1f}x")
    print(f"flag_entries, flags unchanged   {again_s * 1000:7.1f} ms  {again_s / select_s:5.1f}x")
    verdict = "ok" if max(first_s, again_s) < TARGET_SECONDS else "MISSED"
    print(f"target under {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
