"""Supervised children stop with their parent on SIGTERM and SIGINT, grandchildren included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A parent like `lvzhi demo`: two children, one of which starts a grandchild (as gunicorn starts
# workers) and one of which ignores SIGTERM (so the group is killed after the grace period).
PARENT = textwrap.dedent(
    """
    import sys
    from backend.ops.processes import ChildExited, ChildGroup, Stopping, stop_on_signals

    forker = (
        "import subprocess, sys, time\\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\\n"
        "print('grandchild', child.pid, flush=True)\\n"
        "time.sleep(120)\\n"
    )
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"
    with stop_on_signals(), ChildGroup(grace_seconds=1.0) as children:
        try:
            for code in (forker, stubborn):
                print("child", children.start([sys.executable, "-c", code]).pid, flush=True)
            children.supervise(poll_seconds=0.1)
        except Stopping as stop:
            print("stopping", stop.signal_name, flush=True)
        except ChildExited:
            print("child exited", flush=True)
            raise SystemExit(3)
    print("stopped", flush=True)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its init) counts as gone.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(")")[-1].split()[0] != "Z"


def _start_parent() -> tuple[subprocess.Popen, dict[str, int]]:
    """Start the parent; return it and the pids of its forker, grandchild and stubborn child."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    children: list[int] = []
    grandchildren: list[int] = []
    assert parent.stdout is not None
    while len(children) < 2 or not grandchildren:
        line = parent.stdout.readline()
        assert line, "the parent ended before starting its children"
        label, pid = line.split()
        (grandchildren if label == "grandchild" else children).append(int(pid))
    return parent, {"forker": children[0], "grandchild": grandchildren[0], "stubborn": children[1]}


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_stops_children_and_grandchildren(signal_number: int) -> None:
    parent, started = _start_parent()
    pids = list(started.values())
    assert all(_alive(pid) for pid in pids)

    parent.send_signal(signal_number)
    output, _ = parent.communicate(timeout=15)

    assert parent.returncode == 0
    assert f"stopping {signal.Signals(signal_number).name}" in output
    assert output.strip().endswith("stopped")
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if _alive(pid)]


def test_a_child_that_exits_stops_the_rest() -> None:
    parent, started = _start_parent()
    pids = list(started.values())
    # The forker dies; its grandchild and the stubborn child remain until the parent stops them.
    os.kill(started["forker"], signal.SIGKILL)

    output, _ = parent.communicate(timeout=15)

    assert parent.returncode == 3
    assert "child exited" in output
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if _alive(pid)]
