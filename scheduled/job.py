"""What a scheduled job is: a name, a trigger and a few lines of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """One scheduled job."""

    name: str
    trigger: dict  # APScheduler add_job trigger arguments, in the scheduler's time zone
    run: Callable
