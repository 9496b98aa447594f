"""Shared benchmark plumbing: start servers, fire callbacks, summarise latencies."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH_WECOM = {
    "WECOM_CORP_ID": "wwbench0000000001",
    "WECOM_AGENT_ID": "1000002",
    "WECOM_SECRET": "bench-secret-0123456789",
    # Random values (settings refuse published or guessable secrets); never use them elsewhere.
    "WECOM_TOKEN": "00EEEG8v4riXjslkO04LfV7VH1lXGVqB",
    "WECOM_AES_KEY": "Km99qjstdtgcRnu0OcSKe/UECrt8C7D8m3Vc7N0d9iI",
    "SECRET_KEY": "2sIelsPOaVR9QRC27QDNjLDa6nZ4K_StETTNHkEjML_BOhJ81bK51gufNS9t-6cA",
}


@dataclass
class Result:
    """Throughput and latency of one run."""

    name: str
    count: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rate(self) -> float:
        """Callbacks per second."""
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """Latency at a percentile, in milliseconds."""
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    def line(self) -> str:
        """One printable summary line."""
        return (
            f"{self.name:<28} {self.rate:8.1f}/s  p50 {self.percentile(0.5):6.1f} ms  "
            f"p99 {self.percentile(0.99):6.1f} ms  n={self.count} errors={self.errors}"
        )


def free_port() -> int:
    """Return a free loopback port."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_process(args: list[str], env: dict[str, str], health_url: str) -> subprocess.Popen:
    """Start a server process and wait until it answers."""
    process = subprocess.Popen(
        args,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(health_url, timeout=1)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {args}")


def gunicorn(
    app_path: str, port: int, env: dict[str, str], workers: int = 2, threads: int = 1
) -> subprocess.Popen:
    """Start gunicorn with `workers` sync workers on loopback."""
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        app_path,
    ]
    return start_process(args, env, f"http://127.0.0.1:{port}/")


def closed_loop(name: str, url: str, bodies: list[tuple[str, dict]], threads: int) -> Result:
    """Send every body as fast as `threads` clients can; measure throughput and latency."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    chunks = [bodies[i::threads] for i in range(threads)]

    def worker(chunk):
        session = requests.Session()
        for body, params in chunk:
            started = time.perf_counter()
            response = session.post(url, params=params, data=body.encode(), timeout=10)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += response.status_code != 200

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return Result(name, len(bodies), time.perf_counter() - started, latencies, errors[0])


def fixed_rate(name: str, url: str, bodies: list[tuple[str, dict]], rate: float) -> Result:
    """Send bodies at a fixed arrival rate (open loop); latency includes any queueing."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    sessions = threading.local()

    def fire(body, params):
        session = getattr(sessions, "s", None) or requests.Session()
        sessions.s = session
        started = time.perf_counter()
        response = session.post(url, params=params, data=body.encode(), timeout=10)
        with lock:
            latencies.append((time.perf_counter() - started) * 1000)
            errors[0] += response.status_code != 200

    from concurrent.futures import ThreadPoolExecutor

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for index, (body, params) in enumerate(bodies):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fire, body, params)
    return Result(name, len(bodies), time.perf_counter() - start, latencies, errors[0])


def median_of(values: list[float]) -> float:
    """Median helper for repeated runs."""
    return statistics.median(values)
