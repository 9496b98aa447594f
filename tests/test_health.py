"""Probes: /livez answers while the process runs; /readyz says which readiness check fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from backend.db import writing
from backend.models import SCHEDULER_LEASE, OutboxMessage, SchedulerLease
from backend.models.common import utcnow
from backend.ops.readiness import head_revision
from scheduled import lease
from tests.support.console import console_app


@pytest.fixture
def client(engine):
    return console_app(engine).test_client()


def _message(userid: str, **fields) -> OutboxMessage:
    return OutboxMessage(channel="app", target=userid, msgtype="text", payload="{}", **fields)


def _checks(answer) -> dict[str, bool]:
    return {check["name"]: check["ok"] for check in answer.get_json()["checks"]}


def test_livez_answers_without_the_database(client) -> None:
    answer = client.get("/livez")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}


def test_readyz_is_ready_with_a_scheduler_and_no_backlog(client, engine) -> None:
    assert lease.try_acquire(engine, holder="probe-test", seconds=60)
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert _checks(answer) == {
        "database": True,
        "migrations": True,
        "scheduler": True,
        "outbox": True,
    }


def test_readyz_fails_without_a_live_scheduler(client, engine) -> None:
    with writing(engine) as session:
        session.add(
            SchedulerLease(
                name=SCHEDULER_LEASE, holder="gone", expires_at=utcnow() - timedelta(seconds=5)
            )
        )
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert _checks(answer)["scheduler"] is False
    assert "lvzhi scheduler" in answer.get_data(as_text=True)


def test_readyz_fails_on_an_overdue_outbox_but_not_on_a_fresh_one(client, engine) -> None:
    lease.try_acquire(engine, holder="probe-test", seconds=60)
    with writing(engine) as session:
        session.add(_message("alice"))
    assert client.get("/readyz").status_code == 200
    with writing(engine) as session:
        session.add(_message("bob", next_attempt_at=utcnow() - timedelta(hours=1)))
    answer = client.get("/readyz")
    assert answer.status_code == 503 and _checks(answer)["outbox"] is False


def test_readyz_fails_when_the_schema_is_behind(client, engine) -> None:
    lease.try_acquire(engine, holder="probe-test", seconds=60)
    with writing(engine) as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'g8_jobs'"))
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503 and _checks(answer)["migrations"] is False
    finally:
        with writing(engine) as session:
            session.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
            )


def test_probes_are_never_rate_limited(client) -> None:
    assert all(client.get("/livez").status_code == 200 for _ in range(300))
