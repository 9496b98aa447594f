"""Callback throughput and latency: our gunicorn app against a bare verify-decrypt-encrypt app.

Run: `make bench` (or `.venv/bin/python benchmarks/callback.py`). Prints callbacks/s, p50, p99 for
both servers, the throughput ratio, and latency at a fixed 200 callbacks/s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.db import make_engine, writing
from backend.migrate import upgrade_database
from benchmarks.harness import (
    BENCH_WECOM,
    closed_loop,
    fixed_rate,
    free_port,
    gunicorn,
)
from bot.crypto import CallbackCrypto
from bot.messages import build_text_callback
from tests.support.org import add_small_county
from tests.support.postgres import PostgresServer
from tests.support.stack import wipe_database

HELP_TEXTS = ["帮助", "今天的工作", "你好"]
# Each member walks the duty entry form: every callback runs a form step and most save state.
FORM_TEXTS = [
    "填报",
    "好",
    "1",
    "好",
    "2小时",
    "跳过",
    "检查辖区内食品经营户12家，发现问题2处",
    "确认",
]
SCENARIOS = {"help and hints": HELP_TEXTS, "duty entry form steps": FORM_TEXTS}
USERS = ["alice", "bob"]
TEXTS = HELP_TEXTS


def make_bodies(count: int, first_id: int) -> list[tuple[str, dict]]:
    """Pre-encrypt `count` distinct text callbacks (distinct MsgIds, so none is a duplicate).

    Member i sends the i-th message of TEXTS in turn, so a form scenario walks the form.
    """
    crypto = CallbackCrypto(
        BENCH_WECOM["WECOM_TOKEN"], BENCH_WECOM["WECOM_AES_KEY"], BENCH_WECOM["WECOM_CORP_ID"]
    )
    bodies = []
    for index in range(count):
        plain = build_text_callback(
            BENCH_WECOM["WECOM_CORP_ID"],
            USERS[index % len(USERS)],
            TEXTS[(index // len(USERS)) % len(TEXTS)],
            first_id + index,
            1000002,
            1_763_000_000 + index,
        )
        bodies.append(crypto.encrypt_callback(plain, 1000002))
    return bodies


def prepare_database(folder: Path, url: str | None = None) -> str:
    """Create (or empty) a database with the small fixture county; SQLite unless `url` given."""
    url = url or f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    wipe_database(engine)
    with writing(engine) as session:
        add_small_county(session)
    engine.dispose()
    return url


# `lvzhi serve` runs sync workers; threaded workers (gthread) measured no better on SQLite.
CONFIGURATIONS = [("SQLite WAL", 1), ("PostgreSQL", 1)]


def run(count: int = 3000, clients: int = 8, rate: float = 200.0) -> None:
    """Benchmark both servers in the same run for each scenario, database and worker kind."""
    global TEXTS
    with tempfile.TemporaryDirectory(prefix="lvzhi-bench-") as folder:
        postgres = _start_postgres(Path(folder))
        try:
            for scenario, texts in SCENARIOS.items():
                TEXTS = texts
                print(f"### scenario: {scenario}")
                for database, threads in CONFIGURATIONS:
                    pg_url = postgres[1] if database == "PostgreSQL" and postgres else None
                    if database == "PostgreSQL" and pg_url is None:
                        continue
                    _run_once(count, clients, rate, threads, database, pg_url)
        finally:
            if postgres:
                postgres[0].stop()


def _start_postgres(folder: Path):
    try:
        os.chmod(folder, 0o755)
        server = PostgresServer(folder / "pg")
        return server, server.start()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        print(f"(PostgreSQL not available, skipped: {exc})")
        return None


def _run_once(count, clients, rate, worker_threads, database, pg_url) -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**BENCH_WECOM, "DATABASE_URL": prepare_database(Path(folder), pg_url)}
        ours_port, bare_port = free_port(), free_port()
        ours = gunicorn("backend:create_app()", ours_port, env, threads=worker_threads)
        bare = gunicorn("benchmarks.bare_echo:app", bare_port, env, threads=worker_threads)
        try:
            results = _measure(ours_port, bare_port, count, clients, rate)
        finally:
            ours.terminate()
            bare.terminate()
    kind = "sync workers" if worker_threads == 1 else f"gthread workers × {worker_threads}"
    _report(*results, rate, f"{kind}, {database}")


def _measure(ours_port, bare_port, count, threads, rate):
    ours_url = f"http://127.0.0.1:{ours_port}/wecom/callback"
    bare_url = f"http://127.0.0.1:{bare_port}/wecom/callback"
    closed_loop("warm-up", ours_url, make_bodies(200, 10_000_000), threads)
    closed_loop("warm-up", bare_url, make_bodies(200, 20_000_000), threads)
    bare = closed_loop("bare echo (max)", bare_url, make_bodies(count, 30_000_000), threads)
    ours = closed_loop("lvzhi callback (max)", ours_url, make_bodies(count, 40_000_000), threads)
    paced = fixed_rate(f"lvzhi @ {rate:.0f}/s", ours_url, make_bodies(2000, 50_000_000), rate)
    bare_paced = fixed_rate(f"bare @ {rate:.0f}/s", bare_url, make_bodies(2000, 60_000_000), rate)
    return bare, ours, paced, bare_paced


def _report(bare, ours, paced, bare_paced, rate, kind) -> None:
    print(f"callback benchmark (gunicorn, 2 {kind}, loopback)")
    for result in (bare, ours, bare_paced, paced):
        print("  " + result.line())
    ratio = ours.rate / bare.rate if bare.rate else 0.0
    print(f"  throughput ratio lvzhi/bare: {ratio:.0%} (target ≥ 50%)")
    print(f"  p99 at {rate:.0f}/s: {paced.percentile(0.99):.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    run()
