"""Booking app rows against WeCom's per-member limits on SQLite, with an hour of bookings stored.

Prints the time `limits.book` takes for a row of 1,000 recipients (the largest one call takes)
while 10,000 members already have three bookings each in the last hour, and for a one-member
row (a follow-up chat reply) whose member is near the minute limit.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import col, select

from backend.db import make_engine, reading, writing
from backend.migrate import upgrade_database
from backend.models import OutboxMessage, utcnow
from backend.outbox import limits

MEMBERS, ROWS, REPLIES = 10_000, 10, 200


def _row(users: list[str]) -> OutboxMessage:
    return OutboxMessage(channel="app", target=json.dumps({"users": users}), msgtype="text")


def _time_bookings(engine, rows: list[OutboxMessage], now) -> list[float]:
    times = []
    for row in rows:
        started = time.perf_counter()
        with writing(engine) as session:
            limits.book(session, row=row, now=now)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="lvzhi-bench-limits-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade_database(engine)
    users = [f"u{i:05d}" for i in range(MEMBERS)]
    now = utcnow()
    with writing(engine) as session:
        for minutes in (50, 30, 10):
            limits.record_sends(session, users=users, at=now - timedelta(minutes=minutes))
        session.add_all(_row(users[i : i + 1000]) for i in range(0, ROWS * 1000, 1000))
        session.add_all(_row(["u00000"]) for _ in range(REPLIES))
    with reading(engine) as session:
        rows = list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())
    big, small = rows[:ROWS], rows[ROWS:]
    wide = _time_bookings(engine, big, now)
    narrow = _time_bookings(engine, small, now + timedelta(seconds=1))
    print(f"bookings stored: {MEMBERS * 3} + {len(big) * 1000}")
    print(f"1,000-recipient row: median {statistics.median(wide):.1f} ms, max {max(wide):.1f} ms")
    print(
        f"one-member row ({REPLIES}, the member at the limit after 30): "
        f"median {statistics.median(narrow):.2f} ms, max {max(narrow):.2f} ms"
    )


if __name__ == "__main__":
    main()
