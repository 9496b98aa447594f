"""Helpers for tests that run real servers as subprocesses: free ports and a clean stop."""

from __future__ import annotations

import signal
import socket
import subprocess


def free_port() -> int:
    """Return a loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(
    process: subprocess.Popen | None, timeout: float = 20, stop_signal: int = signal.SIGTERM
) -> None:
    """Stop a server as a service manager would (SIGTERM), killing it if it hangs."""
    if process is not None and process.poll() is None:
        process.send_signal(stop_signal)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
