"""The scheduler's clock: real time, or a shifted one for tests.

Testing aid: the setting `LVZHI_SCHEDULER_NOW` (an ISO datetime, e.g.
``2026-09-30T16:29:50+08:00``) makes the scheduler process start its clock at that moment and let
it run on at real speed. Only the scheduler's jobs follow it; the web app, the delivery worker and
the lease keep real time (the lease and the outbox use the database's clock). Never set it in
production.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from backend.settings import Settings


class SchedulerClock:
    """Tell the current local time, offset when the testing setting is given."""

    def __init__(self, zone: ZoneInfo, start: str | None = None) -> None:
        self.zone = zone
        self.offset = timedelta(0)
        if start:
            wanted = datetime.fromisoformat(start)
            wanted = wanted if wanted.tzinfo else wanted.replace(tzinfo=zone)
            self.offset = wanted - datetime.now(zone)

    def __call__(self) -> datetime:
        return (datetime.now(self.zone) + self.offset).astimezone(self.zone)


def scheduler_clock(settings: Settings) -> SchedulerClock:
    """Build the scheduler's clock, started now, honouring LVZHI_SCHEDULER_NOW (testing aid)."""
    return SchedulerClock(settings.timezone, settings.LVZHI_SCHEDULER_NOW or None)
