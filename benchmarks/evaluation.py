"""Time a round's scores for 100 units over a year of entries against the bare GROUP BYs.

A county of 100 units (8 members each, 6 duties each) with a year of entries (about 190,000) on
SQLite, a year of QR ratings and output figures. A round over the year on the default indicator
tree (every computed metric) is opened, and `preview_scores` (every unit's computed points, the
on-site scores, totals, ranks and colours) is timed against the bare GROUP BYs those figures need
in the same run: entries and hours per unit, staff-days reported per unit, hours per unit and
function type, ratings per unit and output per unit. Target: within 3x of their sum.
Run: `.venv/bin/python benchmarks/evaluation.py`.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.db import make_engine
from backend.evaluation import rounds
from backend.evaluation.default_tree import create_default_tree
from backend.migrate import upgrade_database
from backend.models import Department, DepartmentKind, Duty, Staff, TaskType
from backend.models.entries import DEFAULT_TASK_TYPES
from backend.models.staffing import OutputRecord, OutputSource, StaffingQuota
from backend.models.supervision import SupervisionCode
from backend.schedule.workdays import STATUTORY

UNITS, STAFF_PER_UNIT, DUTIES_PER_UNIT = 100, 8, 6
START, END = date(2025, 1, 1), date(2025, 12, 31)
LOG_RATE, RATINGS = 0.95, 20_000
RUNS, TARGET_RATIO = 3, 3.0
RAM_FOLDER = Path("/dev/shm")
FUNCTION_TYPES = ["core"] * 3 + ["general"] * 2 + ["auxiliary"]
BARE = {
    "entries and hours per unit": "SELECT department_id, COUNT(*), SUM(hours),"
    " SUM(status IN ('approved', 'returned')), COUNT(DISTINCT duty_id) FROM dutyentry"
    " WHERE work_date BETWEEN :start AND :end GROUP BY department_id",
    "staff-days reported per unit": "SELECT department_id, COUNT(*) FROM (SELECT DISTINCT"
    " department_id, staff_id, work_date FROM dutyentry WHERE work_date BETWEEN :start AND :end)"
    " GROUP BY department_id",
    "hours per unit and function type": "SELECT e.department_id, d.function_type, SUM(e.hours)"
    " FROM dutyentry e JOIN duty d ON d.id = e.duty_id"
    " WHERE e.work_date BETWEEN :start AND :end GROUP BY e.department_id, d.function_type",
    "ratings per unit": "SELECT department_id, COUNT(*), SUM(level IN ('very_satisfied',"
    " 'satisfied')) FROM rating GROUP BY department_id",
    "output per unit": "SELECT department_id, SUM(cases), SUM(on_time) FROM outputrecord"
    " WHERE period_start >= :start AND period_end <= :end GROUP BY department_id",
}


def build_county(engine: Engine, rng: random.Random) -> tuple[list[int], int]:
    """Insert units, staff, duties, quotas and output; return the unit ids and the entry count."""
    with Session(engine) as session:
        for code, name, order, hours in DEFAULT_TASK_TYPES:
            session.add(TaskType(code=code, name=name, sort_order=order, standard_hours=hours))
        units = [
            Department(name=f"单位{n:03d}", kind=DepartmentKind.DEPARTMENT, sort_order=n)
            for n in range(UNITS)
        ]
        session.add_all(units)
        session.flush()
        unit_ids = [unit.id for unit in units if unit.id is not None]
        people, duties = _people_and_duties(session, rng, unit_ids)
        staff = [(member.id, member.department_id) for member in people]
        session.commit()
    count = _insert_entries(engine, rng, staff, duties)
    _insert_ratings(engine, rng, staff)
    return unit_ids, count


def _people_and_duties(session: Session, rng: random.Random, unit_ids: list[int]):
    staff, duties = [], {}
    for unit_id in unit_ids:
        members = [
            Staff(
                wecom_userid=f"u{unit_id}-{n}",
                name=f"人员{unit_id}-{n}",
                department_id=unit_id,
                staffing_type="administrative",
                joined_on=date(2020, 1, 1),
            )
            for n in range(STAFF_PER_UNIT)
        ]
        rows = [
            Duty(
                department_id=unit_id,
                seq=n,
                title=f"职责{n}",
                function_type=rng.choice(FUNCTION_TYPES),
            )
            for n in range(DUTIES_PER_UNIT)
        ]
        session.add_all(
            [*members, *rows, SupervisionCode(code=f"c{unit_id}", department_id=unit_id)]
        )
        session.add(
            StaffingQuota(
                department_id=unit_id,
                effective_from=date(2024, 1, 1),
                administrative_posts=STAFF_PER_UNIT + rng.choice((-1, 0, 1)),
            )
        )
        session.add(
            OutputRecord(
                department_id=unit_id,
                source=OutputSource.HOTLINE,
                period_start=START,
                period_end=END,
                cases=rng.randint(20, 200),
                on_time=None,
                satisfaction=99.0,
            )
        )
        session.flush()
        staff += members
        duties[unit_id] = [row.id for row in rows]
    return staff, duties


def _insert_entries(engine: Engine, rng: random.Random, staff, duties) -> int:
    """Bulk-insert a year of entries through the driver (the ORM path takes minutes)."""
    now = datetime.now(UTC).isoformat(sep=" ")
    columns = (
        "staff_id, department_id, work_date, duty_id, task_type_code, hours, description,"
        " status, flags, source, created_at, updated_at"
    )
    sql = f"INSERT INTO dutyentry ({columns}) VALUES ({', '.join(['?'] * 12)})"
    rows = [
        (
            member[0],
            member[1],
            day.isoformat(),
            rng.choice(duties[member[1]]),
            "business",
            rng.choice((4.0, 6.0, 8.0)),
            "检查",
            rng.choice(("approved", "submitted")),
            "",
            "chat",
            now,
            now,
        )
        for member in staff
        for day in STATUTORY.workdays_between(START, END)
        if rng.random() < LOG_RATE
    ]
    _executemany(engine, sql, rows)
    return len(rows)


def _insert_ratings(engine: Engine, rng: random.Random, staff) -> None:
    levels = ("very_satisfied", "satisfied", "basic", "dissatisfied")
    with engine.connect() as connection:
        codes = dict(
            connection.execute(text("SELECT department_id, id FROM supervisioncode")).all()
        )
    sql = (
        "INSERT INTO rating (code_id, department_id, level, tags, comment, rated_on, dedupe_key,"
        " is_followup, network, created_at) VALUES (?, ?, ?, '', '', ?, ?, 0, '', ?)"
    )
    rows = []
    for number in range(RATINGS):
        unit = rng.choice(staff)[1]
        day = date(2025, rng.randint(1, 12), rng.randint(1, 28))
        stamp = datetime(day.year, day.month, day.day, 10, tzinfo=UTC).isoformat(sep=" ")
        rows.append((codes[unit], unit, rng.choice(levels), day.isoformat(), f"b{number}", stamp))
    _executemany(engine, sql, rows)


def _executemany(engine: Engine, sql: str, rows: list[tuple]) -> None:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.executemany(sql, rows)
        connection.commit()
    finally:
        connection.close()


def open_bench_round(engine: Engine, unit_ids: list[int]) -> int:
    """Open a round over the year on the default tree; return its id."""
    with Session(engine) as session:
        tree = create_default_tree(session)
        assert tree.id is not None
        opened = rounds.open_round(
            session,
            name="基准评估",
            period_start=START,
            period_end=END,
            tree_id=tree.id,
            department_ids=unit_ids,
        )
        session.commit()
        assert opened.id is not None
        return opened.id


def best(action, runs: int = 1) -> float:
    """Return the best wall time of `runs` runs of an action."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(engine: Engine, round_id: int) -> tuple[dict[str, float], float]:
    """Time the bare GROUP BYs and the round's scores alternately; keep the best of each."""
    params = {"start": START.isoformat(), "end": END.isoformat()}
    bare = dict.fromkeys(BARE, float("inf"))
    ours = float("inf")
    with Session(engine) as session:
        for _ in range(RUNS):
            for name, sql in BARE.items():
                run = lambda sql=sql: session.execute(text(sql), params).all()  # noqa: E731
                bare[name] = min(bare[name], best(run))
            ours = min(ours, best(lambda: rounds.preview_scores(session, round_id=round_id)))
    return bare, ours


def main() -> None:
    """Build the county, open the round and print the timings and the ratio."""
    base = RAM_FOLDER if RAM_FOLDER.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="lvzhi-bench-", dir=base) as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade_database(engine)
        started = time.perf_counter()
        unit_ids, entries = build_county(engine, random.Random(17))
        print(f"built {UNITS} units, {entries:,} entries in {time.perf_counter() - started:.1f} s")
        bare, ours = measure(engine, open_bench_round(engine, unit_ids))
        engine.dispose()
    for name, seconds in bare.items():
        print(f"{'bare ' + name:<45} {seconds * 1000:8.1f} ms")
    total = sum(bare.values())
    ratio = ours / total
    print(f"{'sum of the bare GROUP BYs':<45} {total * 1000:8.1f} ms")
    print(f"{'round scores, ' + str(UNITS) + ' units':<45} {ours * 1000:8.1f} ms  {ratio:4.2f}x")
    print(f"target within {TARGET_RATIO:.0f}x: {'ok' if ratio <= TARGET_RATIO else 'MISSED'}")


if __name__ == "__main__":
    main()
