"""What a scheduled job is: a name, a trigger and a few lines of work on the scheduler's runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.runtime import Runtime
from backend.settings import Settings


@dataclass(frozen=True)
class Job:
    """One scheduled job: `run(runtime)` does its work with the scheduler's engine and clock."""

    name: str
    trigger: dict | Callable[[Settings], dict]  # APScheduler add_job trigger arguments
    run: Callable[[Runtime], object]

    def trigger_for(self, settings: Settings) -> dict:
        """Return the APScheduler trigger arguments, in the scheduler's time zone."""
        return self.trigger(settings) if callable(self.trigger) else self.trigger


def at_clock(work: Callable[..., object]) -> Callable[[Runtime], object]:
    """Run `work(engine, now=...)` with the scheduler's engine and clock."""
    return lambda runtime: work(runtime.engine, now=runtime.clock())


def at_clock_with_settings(work: Callable[..., object]) -> Callable[[Runtime], object]:
    """Run `work(engine, now=..., settings=...)` with the scheduler's runtime."""
    return lambda runtime: work(runtime.engine, now=runtime.clock(), settings=runtime.settings)
