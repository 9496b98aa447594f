"""One reminder round for 10,000 synthetic staff on SQLite, delivered to the local WeCom emulator.

Prints the time to select and queue the round, the time to deliver it (as if past the round's
two-minute spread), and the number of message/send calls the emulator counted, against the bound
for a spread round (one batch per 10 s step, at least 50 members each, at most 1,000), plus the
ratio of the whole round to the bare baseline: the same number of message/send calls (same card)
made directly with the API client (no database, no selection, no outbox).
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.db import make_engine
from backend.demo.emulator_link import emulator_config, push_directory
from backend.migrate import upgrade_database
from backend.models import Absence, AbsenceKind, Department, Duty, DutyEntry, Staff, TaskType
from backend.outbox.delivery import build_client, deliver_due
from backend.outbox.service import SPREAD_MIN_BATCH, SPREAD_STEP
from backend.settings import load_settings
from benchmarks.harness import BENCH_WECOM
from bot.emulator import EmulatorServer
from scheduled.reminder_rounds import SEND_SPREAD_SECONDS
from scheduled.reminder_texts import staff_reminder
from scheduled.reminders import run_reminders

STAFF, DEPARTMENTS = 10_000, 25
DAY = date(2026, 11, 23)
CARD = staff_reminder(DAY, "1", "bench_baseline")


def populate(session: Session) -> int:
    """Insert departments and staff: a leader each, 5% logged, 2% away; return who is missing."""
    session.add(TaskType(code="business", name="业务"))
    departments = [
        Department(name=f"部门{d:02d}", wecom_department_id=d + 2) for d in range(DEPARTMENTS)
    ]
    session.add_all(departments)
    session.flush()
    duties = [
        Duty(department_id=d.id, seq=1, title="职责", function_type="core") for d in departments
    ]
    staff = [
        Staff(
            wecom_userid=f"u{i:05d}",
            name=f"人员{i:05d}",
            department_id=departments[i % DEPARTMENTS].id,
            staffing_type="administrative",
            is_leader=i < DEPARTMENTS,
            is_principal_head=i < DEPARTMENTS,
        )
        for i in range(STAFF)
    ]
    session.add_all(duties + staff)
    session.flush()
    logged, away = staff[DEPARTMENTS::20], staff[DEPARTMENTS + 1 :: 50]
    session.add_all(
        DutyEntry(
            staff_id=s.id,
            department_id=s.department_id,
            work_date=DAY,
            duty_id=duties[(s.department_id - departments[0].id)].id,
            task_type_code="business",
            hours=2,
            description="检查",
        )
        for s in logged
    )
    session.add_all(
        Absence(staff_id=s.id, kind=AbsenceKind.LEAVE, start_date=DAY, end_date=DAY) for s in away
    )
    return STAFF - DEPARTMENTS - len(logged) - len(away)


def send_calls(emulator_url: str) -> int:
    """Count the message/send calls the emulator received."""
    calls = requests.get(emulator_url + "/_emulator/calls", timeout=30).json()["calls"]
    return sum(1 for c in calls if c["path"].endswith("/message/send"))


def bare_baseline(client, userids: list[str], calls: int) -> float:
    """Time `calls` message/send calls made directly, as the floor for a round."""
    size = math.ceil(len(userids) / calls)
    started = time.perf_counter()
    for index in range(0, len(userids), size):
        client.send_message(userids[index : index + size], "template_card", CARD.body)
    return time.perf_counter() - started


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="lvzhi-bench-reminders-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    base = load_settings(DATABASE_URL=url, **BENCH_WECOM)
    emulator = EmulatorServer(emulator_config(base))
    emulator.start()
    settings = base.model_copy(update={"WECOM_API_BASE": emulator.api_base})
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        missing = populate(session)
        session.commit()
        push_directory(session, emulator.url)
    client = build_client(settings, engine)
    client.send_message(["u00000"], "text", {"content": "预热"})  # token fetched before timing
    # The morning's rounds about the previous workday (third reminder, notice) go out first.
    run_reminders(engine, now=datetime(2026, 11, 23, 10, 5, tzinfo=settings.timezone))
    while deliver_due(engine, client).sent:
        pass
    requests.post(emulator.url + "/_emulator/reset", timeout=10)

    now = datetime(2026, 11, 23, 16, 31, 5, tzinfo=settings.timezone)  # 16:30 + the stage spread
    started = time.perf_counter()
    keys = run_reminders(engine, now=now)
    queued = time.perf_counter() - started
    # The round's batches are due over SEND_SPREAD_SECONDS (database clock): deliver as if past it.
    after_spread = datetime.now(UTC) + timedelta(seconds=SEND_SPREAD_SECONDS + 5)
    while deliver_due(engine, client, now=after_spread).sent:
        pass
    total = time.perf_counter() - started
    calls = send_calls(emulator.url)
    steps = SEND_SPREAD_SECONDS // SPREAD_STEP  # at most one batch per step, ≥ SPREAD_MIN_BATCH
    bound = max(math.ceil(missing / 1000), min(steps, math.ceil(missing / SPREAD_MIN_BATCH)))

    requests.post(emulator.url + "/_emulator/reset", timeout=10)
    userids = [f"u{i:05d}" for i in range(missing)]
    bare = bare_baseline(client, userids, bound)
    emulator.stop()

    print(f"staff: {STAFF}, reminded: {missing}, rounds sent: {', '.join(keys)}")
    print(f"select + queue: {queued * 1000:.0f} ms; queue + deliver: {total * 1000:.0f} ms")
    verdict = "OK" if calls <= bound else "OVER"
    print(f"message/send calls: {calls} (bound for a spread round = {bound}) {verdict}")
    print(f"bare baseline ({bound} direct calls): {bare * 1000:.0f} ms; ratio {total / bare:.1f}x")
    if calls > bound:
        sys.exit(1)


if __name__ == "__main__":
    main()
