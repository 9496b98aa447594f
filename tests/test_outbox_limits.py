"""WeCom's per-member limits (30 app messages a minute, 1,000 an hour): spread, never dropped.

Both clocks are frozen and walked forward together: the database's (`stack.deliver(now=…)`)
and the emulator's (`clock_frozen_at`), which drops what real WeCom would drop.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta

from sqlmodel import select

from backend.db import reading, writing
from backend.models import Department, OutboxMessage, OutboxStatus, utcnow
from backend.outbox import limits
from backend.outbox import service as outbox
from backend.outbox.delivery import build_client, deliver_due
from backend.outbox.service import OutgoingContent
from backend.schedule import notices
from tests.support.chat import Member


def _text(text: str) -> OutgoingContent:
    return OutgoingContent("text", {"content": text})


def _queue(stack, users: list[str], count: int, label: str = "通知") -> None:
    with writing(stack.engine) as session:
        for i in range(count):
            outbox.enqueue_to_users(session, user_ids=users, content=_text(f"{label}第{i + 1}条"))


def _freeze(stack, moment: datetime) -> None:
    stack.clock.frozen = moment.astimezone(stack.settings.timezone)
    stack.emulator_call("PUT", "/_emulator/config", json={"clock_frozen_at": moment.timestamp()})


def _start(stack) -> datetime:
    """Freeze both clocks just after the rows queued so far fell due."""
    start = utcnow().replace(microsecond=0) + timedelta(seconds=2)
    _freeze(stack, start)
    return start


def _deliver_at(stack, moment: datetime) -> int:
    _freeze(stack, moment)
    sent = 0
    while stats := stack.deliver(now=moment).sent:
        sent += stats
    return sent


def _walk(stack, start: datetime, seconds: int, step: int = 5) -> None:
    for offset in range(0, seconds + 1, step):
        _deliver_at(stack, start + timedelta(seconds=offset))


def _app_messages(stack, userid: str) -> list[dict]:
    return Member(stack.emulator.url, userid).pushed_messages()


def _most_in_any(times: list[float], span: float) -> int:
    """Return the most messages that fall in any `span` seconds."""
    return max((sum(1 for u in times if t - span < u <= t) for t in times), default=0)


def test_seventy_messages_to_one_member_all_arrive_thirty_a_minute_at_most(stack):
    _queue(stack, ["alice"], 70)
    start = _start(stack)
    assert _deliver_at(stack, start) == 30
    _walk(stack, start, 200)
    received = _app_messages(stack, "alice")
    assert [m["content"] for m in received] == [f"通知第{i + 1}条" for i in range(70)]
    assert not any(m["dropped"] for m in received)
    assert _most_in_any([m["time"] for m in received], 60) == 30
    with reading(stack.engine) as session:
        statuses = set(session.exec(select(OutboxMessage.status)).all())
    assert statuses == {OutboxStatus.SENT}


def test_other_members_of_the_row_go_now_and_the_limited_one_follows(stack):
    _queue(stack, ["alice"], 30, label="提醒")
    start = _start(stack)
    assert _deliver_at(stack, start) == 30
    _queue(stack, ["alice", "bob", "carol"], 1, label="会议")
    assert _deliver_at(stack, start + timedelta(seconds=10)) == 1
    assert [m["content"] for m in _app_messages(stack, "bob")] == ["会议第1条"]
    assert len(_app_messages(stack, "carol")) == 1
    assert len(_app_messages(stack, "alice")) == 30
    with reading(stack.engine) as session:
        waiting = session.exec(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
        ).one()
    assert waiting.target == '{"users": ["alice"]}'
    assert waiting.next_attempt_at == start + limits.MINUTE
    assert _deliver_at(stack, start + timedelta(seconds=61)) == 0
    assert _deliver_at(stack, start + timedelta(seconds=62)) == 1
    received = _app_messages(stack, "alice")
    assert received[-1]["content"] == "会议第1条"
    assert not any(m["dropped"] for m in received)


def test_the_hour_cap_holds_and_the_rest_waits_for_the_hour_to_free(stack):
    start = _start(stack)
    earlier = start - timedelta(minutes=50)
    with writing(stack.engine) as session:  # alice got 990 messages fifty minutes ago
        limits.record_sends(session, users=["alice"] * 990, at=earlier)
    _queue(stack, ["alice"], 40)
    assert _deliver_at(stack, start) == 10
    _walk(stack, start, 700, step=10)
    times = [m["time"] for m in _app_messages(stack, "alice")]
    assert len(times) == 40
    assert all(t >= (earlier + limits.HOUR).timestamp() for t in times[10:])
    seeded = [earlier.timestamp()] * 990
    assert _most_in_any(seeded + times, 3600) <= 1000
    assert _most_in_any(times, 60) <= 30


def test_the_emulator_drops_what_wecom_drops_past_the_hour_limit(stack):
    moment = _start(stack)
    stack.emulator_call("PUT", "/_emulator/config", json={"member_limit_per_hour": 5})
    try:
        answers = [stack.client.send_text(["alice"], f"第{i}条") for i in range(7)]
        _freeze(stack, moment + timedelta(hours=1, seconds=1))
        stack.client.send_text(["alice"], "一小时后")
    finally:
        stack.emulator_call("PUT", "/_emulator/config", json={"member_limit_per_hour": 1000})
    assert {(a["errcode"], a["invaliduser"]) for a in answers} == {(0, "")}  # silently
    received = _app_messages(stack, "alice")
    assert [m["dropped_reason"] for m in received] == [None] * 5 + ["hour"] * 2 + [None]


def test_follow_up_replies_count_and_passive_replies_do_not(stack):
    start = _start(stack)
    with writing(stack.engine) as session:
        for i in range(30):
            outbox.queue_reply(session, user_id="alice", content=_text(f"结果{i}"))
    assert _deliver_at(stack, start) == 30
    assert Member(stack.emulator.url, "alice").says("帮助")  # a passive reply still comes
    with reading(stack.engine) as session:
        recent = limits.recent_sends(session, users=["alice"], now=start)
    assert recent["alice"].minute == 30
    with writing(stack.engine) as session:
        outbox.queue_reply(session, user_id="alice", content=_text("结果30"))
    stats = stack.deliver(now=start + timedelta(seconds=1))
    assert (stats.sent, stats.postponed) == (0, 1)
    assert _deliver_at(stack, start + limits.MINUTE) == 1


def test_two_workers_at_once_stay_within_the_limit(stack):
    _queue(stack, ["alice"], 40)
    start = _start(stack)
    clients = [build_client(stack.settings, stack.engine) for _ in range(2)]
    for client in clients:
        client.access_token()

    def work(client) -> None:
        for _ in range(4):
            deliver_due(stack.engine, client, now=start, limit=10)

    workers = [threading.Thread(target=work, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    received = _app_messages(stack, "alice")
    assert len(received) == 30
    assert not any(m["dropped"] for m in received)


def test_a_booking_waits_for_the_other_workers_booking_to_commit(stack):
    _queue(stack, ["alice"], 2)
    start = _start(stack)
    with writing(stack.engine) as session:
        limits.record_sends(session, users=["alice"] * 29, at=start)
        first, second = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    booked, results = threading.Event(), {}

    def book_and_hold() -> None:
        with writing(stack.engine) as session:
            results["first"] = limits.book(session, row=first, now=start)
            booked.set()
            time.sleep(0.5)  # the other worker reaches the limiter meanwhile

    holder = threading.Thread(target=book_and_hold)
    holder.start()
    booked.wait(10)
    with writing(stack.engine) as session:
        results["second"] = limits.book(session, row=second, now=start)
    holder.join()
    assert results == {"first": ["alice"], "second": []}


def test_a_notice_shows_the_limited_member_waiting_then_delivered(stack):
    _queue(stack, ["alice"], 30)
    start = _start(stack)
    _deliver_at(stack, start)
    with writing(stack.engine) as session:
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局"))
        notice = notices.send_notice(session, title="安全检查", body="周五前完成自查",
                                     department_ids=[market.one().id], to_staff=True,
                                     to_groups=False, sender="admin")  # fmt: skip
        notice_id = notice.id
    _deliver_at(stack, start + timedelta(seconds=5))
    with reading(stack.engine) as session:
        status = notices.notice_status(session, notice_id=notice_id)
    assert (status.delivered, status.waiting) == (status.recipients - 1, 1)
    _walk(stack, start, 70)
    with reading(stack.engine) as session:
        status = notices.notice_status(session, notice_id=notice_id)
    assert status.delivered == status.recipients


def _due_offsets(rows: list[OutboxMessage]) -> list[float]:
    return [(r.next_attempt_at - rows[0].next_attempt_at).total_seconds() for r in rows]


def test_spread_seconds_spreads_the_batches_evenly(stack):
    users = [f"u{i:03d}" for i in range(250)]
    with writing(stack.engine) as session:
        spread = outbox.enqueue_to_users(session, user_ids=users, content=_text("填报提醒"),
                                         dedupe_key="round", spread_seconds=120)  # fmt: skip
        few = outbox.enqueue_to_users(session, user_ids=users[:3], content=_text("少数"),
                                      spread_seconds=120)  # fmt: skip
        whole = outbox.enqueue_to_users(session, user_ids=users, content=_text("一次发出"))
    with reading(stack.engine) as session:
        rows = [session.get_one(OutboxMessage, r.id) for r in spread]
        lone = session.get_one(OutboxMessage, few[0].id)
    assert [len(json.loads(r.target)["users"]) for r in rows] == [50] * 5
    assert [round(o) for o in _due_offsets(rows)] == [0, 24, 48, 72, 96]
    assert [r.dedupe_key for r in rows] == [f"round#{i}" for i in range(5)]
    assert len(few) == 1 and abs(_due_offsets([rows[0], lone])[1]) < 2
    assert len(whole) == 1
