"""Callback latency while a large import and a large export run as jobs, against an idle server.

Run: `make bench` (or `.venv/bin/python benchmarks/contention.py`). One SQLite database with
100,000 entries; gunicorn (2 sync workers) serves the callbacks; a separate process runs the job
runner as the scheduler does. The same paced callbacks are timed first on the idle server, then
while a 200,000-row roster import and a 100,000-entry export run. Target: p99 under 1 s and
within 3x the idle p99.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.db import make_engine, reading, writing  # noqa: E402
from backend.entries.filters import EntryFilters, filters_payload  # noqa: E402
from backend.jobs import service  # noqa: E402
from backend.migrate import upgrade_database  # noqa: E402
from backend.models import Job, JobStatus  # noqa: E402
from benchmarks.export import populate  # noqa: E402
from benchmarks.harness import BENCH_WECOM, Result, fixed_rate, free_port, gunicorn  # noqa: E402
from bot.crypto import CallbackCrypto  # noqa: E402
from bot.messages import build_text_callback  # noqa: E402
from tests.support.excel import large_roster  # noqa: E402

RATE = 20.0  # callbacks per second, paced (open loop)
IDLE_CALLBACKS = 400
IMPORT_ROWS = 200_000
USERS = ["u0-0", "u0-1", "u1-0", "u1-1"]
TEXTS = ["帮助", "今天的工作", "你好"]
WORKER = """
import sys, threading
sys.path.insert(0, {root!r})
from backend.db import make_engine
from scheduled.work.runner import run_job_loop
from backend.settings import load_settings
settings = load_settings()
run_job_loop(make_engine(settings.DATABASE_URL), threading.Event(), settings=settings,
             poll_seconds=0.2)
"""


def bodies(count: int, first_id: int) -> list[tuple[str, dict]]:
    """Pre-encrypt `count` distinct text callbacks from the benchmark's members."""
    crypto = CallbackCrypto(
        BENCH_WECOM["WECOM_TOKEN"], BENCH_WECOM["WECOM_AES_KEY"], BENCH_WECOM["WECOM_CORP_ID"]
    )
    made = []
    for index in range(count):
        plain = build_text_callback(BENCH_WECOM["WECOM_CORP_ID"], USERS[index % len(USERS)],
                                    TEXTS[index % len(TEXTS)], first_id + index, 1000002,
                                    1_763_000_000 + index)  # fmt: skip
        made.append(crypto.encrypt_callback(plain, 1000002))
    return made


def prepare(folder: Path) -> str:
    """Create the database: 20 departments, 1,000 staff, 100,000 entries."""
    url = f"sqlite:///{folder / 'contention.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    with writing(engine) as session:
        populate(session, random.Random(7))
    engine.dispose()
    return url


def queue_jobs(url: str) -> list[int]:
    """Queue the large import and the large export, as the console would."""
    data = large_roster(IMPORT_ROWS, department="县第0局")
    engine = make_engine(url)
    with writing(engine) as session:
        export = {"kind": "entries", "filters": filters_payload(EntryFilters()),
                  "filename": "履职记录.xlsx"}  # fmt: skip
        ids = [
            service.enqueue(session, kind="import_roster", input=data,
                            payload={"max_rows": IMPORT_ROWS}).id,
            service.enqueue(session, kind="export_entries", payload=export).id,
        ]  # fmt: skip
    engine.dispose()
    return ids


def busy_phase(url: str, job_ids: list[int], callback_url: str) -> tuple[Result, float, dict]:
    """Fire paced callbacks until both jobs are finished; return the result and the job time."""
    engine = make_engine(url)
    latencies, errors, started, first_id = [], 0, time.perf_counter(), 70_000_000
    while True:
        chunk = fixed_rate("busy", callback_url, bodies(int(RATE * 5), first_id), RATE)
        latencies += chunk.latencies_ms
        errors += chunk.errors
        first_id += 1000
        states = _states(engine, job_ids)
        if all(s in (JobStatus.DONE, JobStatus.FAILED) for s in states.values()):
            break
    took = time.perf_counter() - started
    engine.dispose()
    return Result("during import + export", len(latencies), took, latencies, errors), took, states


def _states(engine, job_ids: list[int]) -> dict:
    with reading(engine) as session:
        return {i: session.get(Job, i).status for i in job_ids}


def run() -> None:
    """Time callbacks idle, then during the jobs, in one run; print both and the verdict."""
    with tempfile.TemporaryDirectory(prefix="lvzhi-contention-") as folder:
        url = prepare(Path(folder))
        env = {**BENCH_WECOM, "DATABASE_URL": url}
        port = free_port()
        server = gunicorn("backend:create_app()", port, env)
        worker = subprocess.Popen([sys.executable, "-c", WORKER.format(root=str(ROOT))],
                                  env={**os.environ, **env}, cwd=ROOT)  # fmt: skip
        try:
            _measure(url, f"http://127.0.0.1:{port}/wecom/callback")
        finally:
            worker.terminate()
            server.terminate()


def _measure(url: str, callback_url: str) -> None:
    fixed_rate("warm-up", callback_url, bodies(100, 60_000_000), RATE)
    idle = fixed_rate("idle", callback_url, bodies(IDLE_CALLBACKS, 61_000_000), RATE)
    job_ids = queue_jobs(url)
    busy, took, states = busy_phase(url, job_ids, callback_url)
    print(f"contention benchmark (gunicorn, 2 sync workers, SQLite WAL, {RATE:.0f} callbacks/s)")
    print("  " + idle.line())
    print("  " + busy.line())
    print(f"  jobs: {IMPORT_ROWS}-row roster import + 100,000-entry export finished in "
          f"{took:.0f} s ({', '.join(str(s) for s in states.values())})")  # fmt: skip
    ratio = busy.percentile(0.99) / idle.percentile(0.99) if idle.percentile(0.99) else 0.0
    print(f"  p99 during jobs: {busy.percentile(0.99):.1f} ms (target < 1000 ms), "
          f"{ratio:.1f}x idle p99 (target ≤ 3x)")  # fmt: skip


if __name__ == "__main__":
    run()
