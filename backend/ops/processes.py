"""Run child processes that stop with their parent: on SIGTERM, SIGINT or a child's exit."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from types import FrameType

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopping(Exception):
    """A stop signal arrived; `signal_name` says which."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


class ChildExited(RuntimeError):
    """A supervised child process ended on its own."""


def _raise_stopping(signum: int, _frame: FrameType | None) -> None:
    raise Stopping(signal.Signals(signum).name)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into `Stopping` inside the block (main thread only)."""
    previous = {number: signal.signal(number, _raise_stopping) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class ChildGroup:
    """Children started in their own process groups, stopped with everything they started."""

    def __init__(self, *, grace_seconds: float = 10.0) -> None:
        self.processes: list[subprocess.Popen] = []
        self.grace_seconds = grace_seconds

    def __enter__(self) -> ChildGroup:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, command: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start `command` in a new session, so that stopping it reaches its own children too."""
        process = subprocess.Popen(list(command), start_new_session=True, env=env)  # noqa: S603
        self.processes.append(process)
        return process

    def supervise(self, poll_seconds: float = 0.5) -> None:
        """Wait while every child runs; raise `ChildExited` when one ends."""
        while True:
            for process in self.processes:
                if process.poll() is not None:
                    name = process.args[-1] if isinstance(process.args, list) else process.args
                    raise ChildExited(f"{name!s} exited with {process.returncode}")
            time.sleep(poll_seconds)

    def stop(self) -> None:
        """Send SIGTERM to every child's group, then SIGKILL to any still there after the grace."""
        ignored = {number: signal.signal(number, signal.SIG_IGN) for number in STOP_SIGNALS}
        try:
            for process in self.processes:
                _signal_group(process, signal.SIGTERM)
            deadline = time.monotonic() + self.grace_seconds
            for process in self.processes:
                try:
                    process.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    log.warning("child %s did not stop in time; killing it", process.pid)
                # Grandchildren (gunicorn's workers) may outlive a child that has already exited.
                _signal_group(process, signal.SIGKILL)
                process.wait()
        finally:
            for number, handler in ignored.items():
                signal.signal(number, handler)


def _signal_group(process: subprocess.Popen, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, number)
