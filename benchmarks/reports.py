"""Time the weekly summary for the demo county (render + post to the emulator) and one monthly
report for a department with 4,300 entries, on SQLite. Targets: 15 s and 5 s."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import func, insert
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.db import make_engine, reading
from backend.demo import seed_demo
from backend.demo.emulator_link import emulator_config, push_directory
from backend.migrate import upgrade_database
from backend.models import Duty, DutyEntry, Staff
from backend.outbox.delivery import build_client, deliver_due
from backend.reports.periods import parse_period
from backend.reports.queries import reporting_departments, unit_ids
from backend.reports.service import ReportOptions, monthly_files
from backend.schedule.workdays import workdays_between
from backend.settings import load_settings
from benchmarks.harness import BENCH_WECOM
from bot.emulator import EmulatorServer
from scheduled.reports import weekly_summaries

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKLY_TARGET, MONTHLY_TARGET = 15.0, 5.0
MONTH_ENTRIES = 4300
ADMIN_ROBOT = "0a1b2c3d-aaaa-4bbb-8ccc-0123456789ab"


def prepare(folder: Path):
    """Seed the demo county into a fresh SQLite file and start the emulator with its groups."""
    url = f"sqlite:///{folder / 'bench.db'}"
    settings = load_settings(DATABASE_URL=url, **BENCH_WECOM)
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        seed_demo(session, end_date=date(2026, 11, 22))
        session.commit()
    emulator = EmulatorServer(emulator_config(settings)).start()
    with Session(engine) as session:
        push_directory(session, emulator.url)
    directory = requests.get(emulator.url + "/_emulator/directory", timeout=10).json()
    directory["robots"].append({"key": ADMIN_ROBOT, "name": "编办管理员群"})
    requests.put(emulator.url + "/_emulator/directory", json=directory, timeout=10)
    settings = settings.model_copy(
        update={"WECOM_API_BASE": emulator.api_base, "LVZHI_ADMIN_CHAT": f"webhook:{ADMIN_ROBOT}"}
    )
    return settings, engine, emulator


def weekly(settings, engine) -> tuple[float, float, float, int]:
    """Run the weekly job and deliver what it queued; return (render, post, CPU, messages)."""
    client = build_client(settings, engine)
    started, cpu = time.perf_counter(), time.process_time()
    weekly_summaries(engine, now=datetime(2026, 11, 23, 9, tzinfo=SHANGHAI), settings=settings)
    rendered = time.perf_counter()
    sent = 0
    while (stats := deliver_due(engine, client)).sent:
        sent += stats.sent
    return rendered - started, time.perf_counter() - rendered, time.process_time() - cpu, sent


def fill_month(engine, department_id: int, period) -> int:
    """Add entries so the department has MONTH_ENTRIES in the period; return its count."""
    rng = random.Random(7)
    with Session(engine) as session:
        units = unit_ids(session, department_id)
        staff = session.exec(select(Staff).where(Staff.department_id.in_(units))).all()
        duties = session.exec(select(Duty).where(Duty.department_id.in_(units))).all()
        count = session.exec(
            select(func.count()).where(
                DutyEntry.department_id.in_(units),
                DutyEntry.work_date >= period.start,
                DutyEntry.work_date <= period.end,
            )
        ).one()
        days = workdays_between(period.start, period.end)
        rows = [_entry(rng, staff, duties, days) for _ in range(MONTH_ENTRIES - count)]
        if rows:
            session.execute(insert(DutyEntry), rows)
        session.commit()
    return max(count, MONTH_ENTRIES)


def _entry(rng: random.Random, staff: list, duties: list, days: list) -> dict:
    member, duty = rng.choice(staff), rng.choice(duties)
    return {
        "staff_id": member.id,
        "department_id": member.department_id,
        "section_id": member.section_id,
        "work_date": rng.choice(days),
        "duty_id": duty.id,
        "task_type_code": rng.choice(["business"] * 4 + ["party", "general"]),
        "hours": rng.choice([1.0, 1.5, 2.0, 3.0, 4.0]),
        "description": "检查辖区经营户，督促整改问题并记录台账",
        "status": rng.choice(["submitted", "approved", "approved", "returned"]),
        "flags": rng.choice([""] * 9 + ["over_standard"]),
        "source": "bench",
        "created_at": datetime(2026, 10, 31, tzinfo=SHANGHAI),
        "updated_at": datetime(2026, 10, 31, tzinfo=SHANGHAI),
    }


def monthly(settings, engine) -> tuple[float, float, int, int]:
    """Render one department's monthly PDF and XLSX; return (seconds, CPU, entries, bytes)."""
    period = parse_period("month", "2026-10", today=date(2026, 11, 23))
    with Session(engine) as session:
        department = reporting_departments(session)[0]
    entries = fill_month(engine, department.id, period)
    options = ReportOptions.from_settings(settings)
    with reading(engine) as session:  # as the jobs and the console read: no write lock
        started, cpu = time.perf_counter(), time.process_time()
        files = monthly_files(
            session,
            department_id=department.id,
            period=period,
            today=date(2026, 11, 2),
            options=options,
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return seconds, cpu, entries, sum(len(data) for _, data in files)


def main() -> None:
    """Print the figures and their ratio to the targets."""
    with tempfile.TemporaryDirectory() as folder:
        settings, engine, emulator = prepare(Path(folder))
        try:
            with Session(engine) as session:
                count = len(reporting_departments(session))
            print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            render, post, cpu, sent = weekly(settings, engine)
            total = render + post
            print(
                f"weekly summary, {count} departments: {total:.2f} s "
                f"(render {render:.2f} s, post {post:.2f} s, {sent} messages; CPU {cpu:.2f} s) "
                f"= {total / WEEKLY_TARGET:.2f}x of the {WEEKLY_TARGET:g} s target"
            )
            seconds, cpu, entries, size = monthly(settings, engine)
            print(
                f"monthly report, one department with {entries} entries in the month: "
                f"{seconds:.2f} s (PDF + XLSX, {size // 1024} KB; CPU {cpu:.2f} s) "
                f"= {seconds / MONTHLY_TARGET:.2f}x of the {MONTHLY_TARGET:g} s target"
            )
        finally:
            emulator.stop()
            engine.dispose()


if __name__ == "__main__":
    main()
