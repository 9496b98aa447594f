"""The scheduler's clock: real time, or a shifted one for tests.

Testing aid: `LVZHI_SCHEDULER_NOW` (an ISO datetime, e.g. ``2026-09-30T16:29:50+08:00``) makes
the scheduler process start its clock at that moment and let it run on at real speed. Only the
scheduler reads it; the web app and the delivery worker keep real time. Never set it in production.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from backend.settings import cached_settings

FAKE_NOW_VARIABLE = "LVZHI_SCHEDULER_NOW"


class SchedulerClock:
    """Tell the current local time, offset when the testing variable is set."""

    def __init__(self, zone: ZoneInfo, start: str | None = None) -> None:
        self.zone = zone
        self.offset = timedelta(0)
        if start:
            wanted = datetime.fromisoformat(start)
            wanted = wanted if wanted.tzinfo else wanted.replace(tzinfo=zone)
            self.offset = wanted - datetime.now(zone)

    def __call__(self) -> datetime:
        return (datetime.now(self.zone) + self.offset).astimezone(self.zone)


def clock_from_environment(zone: ZoneInfo) -> SchedulerClock:
    """Build the clock, honouring LVZHI_SCHEDULER_NOW (testing aid)."""
    return SchedulerClock(zone, os.environ.get(FAKE_NOW_VARIABLE) or None)


@lru_cache(maxsize=1)
def process_clock() -> SchedulerClock:
    """Return this process's clock, in the configured time zone."""
    return clock_from_environment(cached_settings().timezone)
