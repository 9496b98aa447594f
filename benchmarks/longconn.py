"""Long-connection throughput and latency: our bot against a bare echo client, on one emulator.

Both run as their own process and dial the emulator's wss:// endpoint with WeCom's SDK. The bare
client answers each text at once with the same text; ours (`python -m scheduled.longconn`, what
`lvzhi bot` runs) runs the inbox and the handlers on SQLite, exactly once per message. Prints
messages/s with six members writing at once (closed loop), p50 and p99, the ratio to the bare
client, the latency at a fixed 50 messages/s, and the CPU each process spends a message; the two
alternate for five rounds.
Run: `make bench` (or `.venv/bin/python benchmarks/longconn.py`).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aibot import WSClient, WSClientOptions
from aibot import ws as sdk_ws

from backend.demo.emulator_link import emulator_config
from backend.settings import load_settings
from benchmarks.callback import prepare_database
from benchmarks.harness import BENCH_WECOM
from bot.emulator import EmulatorServer
from bot.emulator.longconn import BotSocket

BOT = {"WECOM_BOT_ID": "aibBench0001", "WECOM_BOT_SECRET": "Vb3nQ8wZ1xK6pR4tY7mL2cJ9"}
USERS = ["alice", "bob", "carol", "dave", "erin", "frank"]
TEXTS = ["帮助", "今天", "谁管 食品", "你好"]
CLOSED_LOOP_EACH = 250  # messages per member in the closed loop
ROUNDS = 5  # bare, ours, bare, ours, …
RATE, RATE_SECONDS = 50, 10  # the fixed-rate run: 50 messages/s for 10 s
TARGET_RATIO, TARGET_P99_MS = 0.5, 200


class EchoBot:
    """The bare baseline: the SDK's client answering every text with itself, nothing else."""

    def __init__(self, url: str, ca_file: str) -> None:
        sdk_ws._SSL_CONTEXT.load_verify_locations(cafile=ca_file)
        self._client = WSClient(
            WSClientOptions(bot_id=BOT["WECOM_BOT_ID"], secret=BOT["WECOM_BOT_SECRET"], ws_url=url)
        )
        self._client.on("message.text", self._echo)

    def run(self) -> None:
        """Connect and answer until killed."""
        self._client.run()

    async def _echo(self, frame: dict) -> None:
        content = frame["body"]["text"]["content"]
        await self._client.reply_stream(frame, frame["body"]["msgid"], content, finish=True)


def _send(socket: BotSocket, index: int) -> float:
    """Deliver one member's message; return seconds until the bot's first reply."""
    userid, text = USERS[index % len(USERS)], TEXTS[(index // len(USERS)) % len(TEXTS)]
    started = time.perf_counter()
    result = socket.deliver("aibot_msg_callback", socket.message_body(userid, text), wait=10)
    if not result["replies"]:
        raise RuntimeError(f"no reply: {result['errors']}")
    return time.perf_counter() - started


def closed_loop(socket: BotSocket) -> tuple[float, list[float]]:
    """Each member sends its next message as soon as the last is answered."""
    total = CLOSED_LOOP_EACH * len(USERS)
    started = time.perf_counter()
    with ThreadPoolExecutor(len(USERS)) as pool:
        latencies = list(pool.map(lambda i: _send(socket, i), range(total)))
    return total / (time.perf_counter() - started), latencies


def fixed_rate(socket: BotSocket) -> list[float]:
    """Send RATE messages a second for RATE_SECONDS, whatever the answers' speed."""
    futures = []
    started = time.perf_counter()
    with ThreadPoolExecutor(64) as pool:
        for index in range(RATE * RATE_SECONDS):
            delay = started + index / RATE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(_send, socket, index))
        return [future.result() for future in futures]


def _p(latencies: list[float], percent: int) -> float:
    return statistics.quantiles(latencies, n=100)[percent - 1] * 1000


def _wait_connected(socket: BotSocket) -> None:
    deadline = time.monotonic() + 20
    while not socket.connected:
        if time.monotonic() > deadline:
            raise TimeoutError("no bot connected")
        time.sleep(0.05)


def _cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Result:
    """One client's figures: closed-loop rate, p99 at the fixed rate, CPU ms a message."""

    rate: float
    p99: float
    cpu_here: float  # this process: the emulator and the members' threads
    cpu_bot: float  # the bot's process


def measure(name: str, socket: BotSocket, pid: int) -> Result:
    """Print and return one client's figures (CPU counted over the closed loop)."""
    _wait_connected(socket)
    _send(socket, 0)  # warm up
    here, bot = time.process_time(), _cpu_seconds(pid)
    rate, latencies = closed_loop(socket)
    here, bot = time.process_time() - here, _cpu_seconds(pid) - bot
    fixed = fixed_rate(socket)
    cpu_here, cpu_bot = (1000 * spent / len(latencies) for spent in (here, bot))
    print(
        f"{name}: {rate:.0f} messages/s with {len(USERS)} members "
        f"(p50 {_p(latencies, 50):.1f} ms, p99 {_p(latencies, 99):.1f} ms); "
        f"at {RATE}/s: p50 {_p(fixed, 50):.1f} ms, p99 {_p(fixed, 99):.1f} ms; "
        f"CPU a message: emulator and members {cpu_here:.2f} ms, {name} {cpu_bot:.2f} ms"
    )
    return Result(rate, _p(fixed, 99), cpu_here, cpu_bot)


def _environment(settings) -> dict[str, str]:
    """The settings as the environment of a `lvzhi bot` process."""
    names = [*BENCH_WECOM, *BOT, "DATABASE_URL", "LVZHI_CHANNEL", "WECOM_API_BASE"]
    env = {name: str(getattr(settings, name)) for name in names}
    env |= {"WECOM_BOT_WS_URL": settings.WECOM_BOT_WS_URL, "PATH": os.environ.get("PATH", "")}
    return env | {"WECOM_BOT_CA_FILE": settings.WECOM_BOT_CA_FILE, "PYTHONWARNINGS": "ignore"}


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen(command, env=env, cwd=root, stdout=DEVNULL, stderr=DEVNULL)


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    time.sleep(0.5)  # the emulator notices the closed connection


def main() -> None:
    """Run the bare client, then our bot, against the same emulator."""
    with tempfile.TemporaryDirectory() as folder:
        url = prepare_database(Path(folder))
        settings = load_settings(DATABASE_URL=url, LVZHI_CHANNEL="longconn", **BENCH_WECOM, **BOT)
        emulator = EmulatorServer(emulator_config(settings)).start()
        socket = emulator.bot_socket
        assert socket is not None
        socket.channel = "longconn"
        ca_file = Path(folder) / "ca.pem"
        ca_file.write_bytes(socket.certificate)
        settings = settings.model_copy(
            update={
                "WECOM_API_BASE": emulator.api_base,
                "WECOM_BOT_WS_URL": socket.url,
                "WECOM_BOT_CA_FILE": str(ca_file),
            }
        )
        env = _environment(settings)
        try:
            bare, ours = _rounds(socket, env, ca_file)
        finally:
            emulator.stop()
    bare_rate = statistics.median(result.rate for result in bare)
    ours_rate = statistics.median(result.rate for result in ours)
    ours_p99 = max(result.p99 for result in ours)
    print(
        f"median of {ROUNDS} rounds: bare {bare_rate:.0f}, lvzhi {ours_rate:.0f} messages/s; "
        f"ratio {ours_rate / bare_rate:.2f} of bare (target ≥ {TARGET_RATIO:g}); "
        f"worst p99 at {RATE}/s {ours_p99:.0f} ms (target < {TARGET_P99_MS} ms)"
    )
    cpu = statistics.median(result.cpu_here + result.cpu_bot for result in ours)
    print(
        f"at {TARGET_RATIO:g} of bare ({TARGET_RATIO * bare_rate:.0f} messages/s), lvzhi's "
        f"{cpu:.2f} ms of CPU a message (both processes) would take "
        f"{TARGET_RATIO * bare_rate * cpu / 1000:.1f} cores; this machine has {os.cpu_count()}"
    )


def _rounds(
    socket: BotSocket, env: dict[str, str], ca_file: Path
) -> tuple[list[Result], list[Result]]:
    """Alternate the bare client and our bot ROUNDS times, so drift in the machine hits both."""
    bare: list[Result] = []
    ours: list[Result] = []
    for _ in range(ROUNDS):
        echo = _start([sys.executable, __file__, "--echo", socket.url, str(ca_file)], env)
        bare.append(measure("bare echo client", socket, echo.pid))
        _stop(echo)
        bot = _start([sys.executable, "-m", "scheduled.longconn"], env)
        ours.append(measure("lvzhi bot", socket, bot.pid))
        _stop(bot)
    return bare, ours


if __name__ == "__main__":
    if sys.argv[1:2] == ["--echo"]:
        EchoBot(sys.argv[2], sys.argv[3]).run()
    else:
        main()
