"""The scheduler process for real: killed before a reminder time and restarted after it, and two
schedulers started together; each round is sent exactly once.

The subprocesses get a shifted clock through LVZHI_SCHEDULER_NOW (a testing aid read only by the
scheduler), a 0.5 s tick and a 3 s lease; they reach the emulator over HTTP like production.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from backend.db import db_now, reading
from backend.models import JobRun, OutboxMessage, SchedulerLease
from backend.settings import load_settings
from tests.support.chat import Member
from tests.support.processes import stop_process
from tests.support.stack import TEST_WECOM

ROOT = Path(__file__).resolve().parent.parent
LVZHI = Path(sys.executable).parent / "lvzhi"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _environment(stack, now: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LVZHI_", "WECOM_"))}
    env.update({k: str(v) for k, v in TEST_WECOM.items()})
    env.update(
        DATABASE_URL=stack.settings.DATABASE_URL,
        WECOM_API_BASE=stack.settings.WECOM_API_BASE,
        LVZHI_SCHEDULER_NOW=now,
        LVZHI_SCHEDULER_TICK_SECONDS="0.5",
        LVZHI_SCHEDULER_LEASE_SECONDS="3",
        PYTHONPATH=str(ROOT),
    )
    return env


def _start(stack, now: str, tmp_path: Path, name: str, *, cli: bool = False) -> subprocess.Popen:
    command = [str(LVZHI), "scheduler"] if cli else [sys.executable, "-m", "scheduled"]
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(
        command, env=_environment(stack, now), cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
    )


def _wait_for(predicate, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _runs(stack) -> set[str]:
    with reading(stack.engine) as session:
        return set(session.exec(select(JobRun.key)))


def _delivered(stack, key: str) -> bool:
    with reading(stack.engine) as session:
        rows = session.exec(
            select(OutboxMessage.status).where(OutboxMessage.dedupe_key.startswith(key + "#"))
        ).all()
        return bool(rows) and all(status == "sent" for status in rows)


def _reminder_days(member: Member) -> list[str]:
    return [
        m["card"]["task_id"]
        for m in member.pushed_messages()
        if str((m.get("card") or {}).get("task_id", "")).startswith("reminder")
    ]


def _holder_pid(stack) -> int | None:
    with reading(stack.engine) as session:
        row = session.get(SchedulerLease, "scheduler")
        return None if row is None else int(row.holder.split(":")[1])


@pytest.fixture
def processes():
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        stop_process(process)


def test_killed_before_a_reminder_time_and_restarted_after_sends_it_once(
    sqlite_stack, tmp_path, processes
):
    stack = sqlite_stack
    bob = Member(stack.emulator.url, "bob")
    first = _start(stack, "2026-09-30T16:30:45+08:00", tmp_path, "first")
    processes.append(first)
    # On start it catches up 9-29's notice round (due 10:00 today, still current): it is alive.
    _wait_for(lambda: "reminder:2026-09-29:notice" in _runs(stack), what="the first tick")
    first.send_signal(signal.SIGKILL)  # dies hard, before 16:31 (16:30 + spread), holding its lease
    first.wait()
    assert "reminder:2026-09-30:1" not in _runs(stack)
    assert bob.pushed_messages() == []

    second = _start(stack, "2026-09-30T16:31:20+08:00", tmp_path, "second", cli=True)
    processes.append(second)
    _wait_for(lambda: _delivered(stack, "reminder:2026-09-30:1"), what="the 16:30 round")
    time.sleep(3)  # several more ticks
    stop_process(second)
    assert second.returncode == 0
    assert _reminder_days(bob) == ["reminder_2026-09-30_1"]
    assert "reminder:2026-09-30:2" not in _runs(stack)


def test_two_schedulers_started_together_send_each_round_once(sqlite_stack, tmp_path, processes):
    stack = sqlite_stack
    bob, carol = Member(stack.emulator.url, "bob"), Member(stack.emulator.url, "carol")
    now = "2026-09-30T17:31:35+08:00"
    processes.extend(_start(stack, now, tmp_path, name) for name in ("a", "b"))
    _wait_for(lambda: _delivered(stack, "reminder:2026-09-30:1"), what="the 16:30 round")
    leader = _holder_pid(stack)
    assert leader in {p.pid for p in processes}
    next(p for p in processes if p.pid == leader).send_signal(signal.SIGKILL)
    # The other one waits out the dead leader's lease, takes over and sends the 17:30 round.
    _wait_for(lambda: _delivered(stack, "reminder:2026-09-30:2"), what="the 17:30 round")
    assert _holder_pid(stack) not in (None, leader)
    time.sleep(2)
    for member in (bob, carol):
        assert _reminder_days(member) == ["reminder_2026-09-30_1", "reminder_2026-09-30_2"]


def test_the_lease_has_one_holder_until_it_expires(engine):
    from scheduled import lease

    assert lease.try_acquire(engine, holder="a", seconds=3)
    assert not lease.try_acquire(engine, holder="b", seconds=3)
    assert lease.try_acquire(engine, holder="a", seconds=1.5)  # renewal
    assert lease.current_holder(engine) == "a"
    time.sleep(1.7)
    assert lease.current_holder(engine) is None
    assert lease.try_acquire(engine, holder="b", seconds=30)
    assert not lease.try_acquire(engine, holder="a", seconds=30)
    lease.release(engine, holder="b")
    assert lease.try_acquire(engine, holder="a", seconds=30)


def _scheduler_runtime(engine, start: datetime):
    from backend.runtime import build_runtime
    from scheduled.clock import SchedulerClock

    url = engine.url.render_as_string(hide_password=False)
    settings = load_settings(DATABASE_URL=url, LVZHI_SCHEDULER_LEASE_SECONDS=3, **TEST_WECOM)
    return build_runtime(settings, engine=engine, clock=SchedulerClock(SHANGHAI, start.isoformat()))


def test_schedulers_whose_clocks_differ_by_hours_cannot_both_hold_the_lease(engine):
    from scheduled import lease, runner

    real = datetime.now(SHANGHAI)
    behind = _scheduler_runtime(engine, real - timedelta(hours=7))
    ahead = _scheduler_runtime(engine, real + timedelta(hours=7))
    assert runner.wait_for_lease(behind, "behind", threading.Event())
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()  # a few attempts, then give up
    assert not runner.wait_for_lease(ahead, "ahead", stop)
    assert lease.current_holder(engine) == "behind"
    assert not lease.try_acquire(engine, holder="ahead", seconds=3)
    lease.release(engine, holder="behind")
    assert runner.wait_for_lease(ahead, "ahead", threading.Event())
    assert not lease.try_acquire(engine, holder="behind", seconds=3)


def test_the_lease_expires_on_the_databases_clock(engine):
    from scheduled import lease

    assert lease.try_acquire(engine, holder="a", seconds=600)
    with reading(engine) as session:
        remaining = session.execute(
            select(SchedulerLease.expires_at.between(db_now(590), db_now(600))).where(
                SchedulerLease.name == lease.LEASE_NAME  # the test bot's lease may be there too
            )
        ).scalar_one()
    assert remaining  # ten minutes from the database's now, whatever the host's clock says
