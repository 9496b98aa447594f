"""Run every benchmark in turn (`make bench`)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "callback.py",
    "longconn.py",
    "review.py",
    "reminders.py",
    "outbox_limits.py",
    "analytics.py",
    "reports.py",
    "weekly_image.py",
    "surveys.py",
    "evaluation.py",
    "export.py",
    "contention.py",
]

if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    for name in BENCHMARKS:
        print(f"== {name}")
        runpy.run_path(str(HERE / name), run_name="__main__")
