"""Start a throw-away Redis server (the shared rate-limit store) for a test module."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from tests.support.processes import free_port

STARTUP_SECONDS = 10


class RedisServer:
    """A redis-server on loopback, in a temporary folder, with nothing saved to disk."""

    def __init__(self, base: Path) -> None:
        self.base, self.port, self.process = base, free_port(), None

    @property
    def url(self) -> str:
        """Return the server's URL for LVZHI_REDIS_URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start the server and wait until it answers PING."""
        import redis

        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed: run scripts/system-deps.sh")
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                   str(self.base), "--save", "", "--appendonly", "no"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_timeout=1).ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer")

    def stop(self) -> None:
        """Stop the server."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
