"""Prometheus metrics: the instruments every process updates, and their shared files.

Under gunicorn each worker is its own process, and the scheduler is another: each writes its
values to files in one folder (prometheus_client's multiprocess mode) and `/metrics` adds them up.
`enable_multiprocess` must run before the first instrument is used in a process tree; without it
(tests that build the app in-process) the values live in this process only.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from prometheus_client import Counter, Histogram, values
from prometheus_client.multiprocess import mark_process_dead

from backend.settings import PROJECT_ROOT, Settings
from backend.settings.environment import export_metrics_folder

_FILE_PID = re.compile(r"_(\d+)\.db$")
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
TOGETHER_BUCKETS = (1, 2, 4, 8, 16, 32)
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)
_shared_folder: list[Path] = []  # set by enable_multiprocess, inherited by forked workers


@dataclass(frozen=True)
class Instruments:
    """Every metric lvzhi records; created once per process tree, on first use."""

    callbacks: Counter
    callback_seconds: Histogram
    callback_failures: Counter
    answered_together: Histogram
    queued: Counter
    delivered: Counter
    delivery_failures: Counter
    job_seconds: Histogram
    job_failures: Counter


@lru_cache(maxsize=1)
def instruments() -> Instruments:
    """Return the process's instruments (after `enable_multiprocess`, backed by shared files)."""
    return Instruments(
        callbacks=Counter(
            "lvzhi_callbacks",
            "WeCom callbacks answered, by method and HTTP status",
            ["method", "status"],
        ),
        callback_seconds=Histogram(
            "lvzhi_callback_duration_seconds",
            "Time to answer a WeCom callback",
            ["method"],
            buckets=LATENCY_BUCKETS,
        ),
        callback_failures=Counter(
            "lvzhi_callback_failures", "Callbacks whose handler failed (answered with an apology)"
        ),
        answered_together=Histogram(
            "lvzhi_longconn_answered_together",
            "Messages the long connection answered in one transaction (SQLite, under load)",
            buckets=TOGETHER_BUCKETS,
        ),
        queued=Counter(
            "lvzhi_outbox_queued",
            "Messages queued for WeCom, by channel; counted when added (rolled-back repeats too)",
            ["channel"],
        ),
        delivered=Counter(
            "lvzhi_outbox_delivered", "Messages WeCom accepted, by channel", ["channel"]
        ),
        delivery_failures=Counter(
            "lvzhi_outbox_delivery_failures",
            "Delivery attempts WeCom refused, by channel, errcode and whether it is retried",
            ["channel", "errcode", "outcome"],
        ),
        job_seconds=Histogram(
            "lvzhi_job_duration_seconds",
            "Run time of scheduled jobs and background tasks",
            ["job"],
            buckets=JOB_BUCKETS,
        ),
        job_failures=Counter(
            "lvzhi_job_failures", "Scheduled jobs and background tasks that failed", ["job"]
        ),
    )


def enable_multiprocess(directory: Path) -> None:
    """Keep this process tree's values in `directory`, forgetting those of processes now gone."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        match = _FILE_PID.search(path.name)
        if match is None or not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
    export_metrics_folder(directory)
    values.ValueClass = values.MultiProcessValue()
    _shared_folder[:] = [directory]
    instruments.cache_clear()


def metrics_folder(settings: Settings) -> Path:
    """Return the folder the processes of this installation share their metric files in."""
    return Path(settings.LVZHI_METRICS_DIR or PROJECT_ROOT / "var" / "metrics")


def multiprocess_directory() -> Path | None:
    """Return the shared folder when multiprocess mode is on in this process."""
    return _shared_folder[0] if _shared_folder else None


def forget_worker(pid: int) -> None:
    """Drop a finished gunicorn worker's live values (its counters are kept in the totals)."""
    if multiprocess_directory() is not None:
        mark_process_dead(pid)


@contextmanager
def timed_job(name: str) -> Iterator[None]:
    """Record how long the job `name` ran, and count it as failed when it raises."""
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        instruments().job_failures.labels(name).inc()
        raise
    finally:
        instruments().job_seconds.labels(name).observe(time.perf_counter() - started)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
