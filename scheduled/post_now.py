"""Run report jobs at once, as the scheduler would at a given moment (the demo's start-up):
`python -m scheduled.post_now --at 2026-12-03T18:00+08:00 weekly-summaries monthly-reports`.

The jobs claim their usual run keys, so the scheduler never posts the same period again."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from datetime import datetime

from backend.runtime import build_runtime
from backend.settings import cached_settings
from scheduled.reports import JOBS

REPORT_JOBS = {job.name: job for job in JOBS}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the named report jobs with the clock stopped at `--at`; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m scheduled.post_now", description=__doc__)
    parser.add_argument("--at", required=True, type=datetime.fromisoformat, help="ISO datetime")
    parser.add_argument("jobs", nargs="+", choices=sorted(REPORT_JOBS))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)  # one line per rendered file would drown the demo
    moment: datetime = args.at
    runtime = build_runtime(cached_settings(), clock=lambda: moment)
    for name in args.jobs:
        REPORT_JOBS[name].run(runtime)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
