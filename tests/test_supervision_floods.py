"""Floods on the public QR pages: bounded per unit and network, and coalesced notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from backend.models import OutboxMessage
from backend.models.supervision import WorkOrder
from backend.runtime import EXTENSION_KEY
from backend.supervision import texts
from backend.supervision.rules import network_of
from scheduled.jobs import JOBS
from scheduled.supervision import send_work_order_digests
from tests.support.console import console_app
from tests.support.org import add_small_county
from tests.support.supervision import add_codes, alert_text, visitor_rates


@pytest.fixture
def county(engine):
    with Session(engine) as session:
        add_small_county(session)
        codes = add_codes(session)
        session.commit()
    return codes


def complain(app, code: str, address: str, number: int):
    """Post a complaint from a browser without the device cookie, at `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return visitor_rates(client, code, level="very_dissatisfied", complaint="1",
                         comment=f"窗口无人办理 {number}")  # fmt: skip


def orders(engine) -> list[WorkOrder]:
    with Session(engine) as session:
        return list(session.exec(select(WorkOrder)))


def supervision_messages(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        stmt = select(OutboxMessage).where(col(OutboxMessage.dedupe_key).like("supervision:%"))
        return list(session.exec(stmt))


def test_a_complaint_flood_from_one_network_is_bounded_and_coalesced(engine, county):
    app = console_app(engine)
    code = county["县市场监督管理局"]
    statuses = [complain(app, code, f"198.51.100.{i + 1}", i).status_code for i in range(60)]
    assert statuses == [200] * 10 + [429] * 50  # the old code opened 39 orders (then 429s)
    refused = complain(app, code, "198.51.100.200", 99)
    assert texts.NETWORK_BUSY in alert_text(refused)
    assert len(orders(engine)) == 10
    assert len(supervision_messages(engine)) == 1  # the first at once; the rest are held
    assert complain(app, code, "203.0.113.9", 100).status_code == 200  # another network
    settings = app.extensions[EXTENSION_KEY].settings
    soon = datetime.now(UTC) + timedelta(minutes=5)
    assert send_work_order_digests(engine, now=soon, settings=settings) == 0  # not yet due
    later = datetime.now(UTC) + timedelta(minutes=31)
    assert send_work_order_digests(engine, now=later, settings=settings) == 1
    assert send_work_order_digests(engine, now=later, settings=settings) == 0
    messages = supervision_messages(engine)
    assert len(messages) == 2 and "又收到 10 件工单" in messages[1].payload
    assert all(order.announced_at is not None for order in orders(engine))  # nothing lost


def test_work_orders_per_unit_are_bounded_across_networks(engine, county):
    app = console_app(engine, LVZHI_PUBLIC_ORDERS_PER_UNIT=3)
    code = county["县民政局"]
    statuses = [complain(app, code, f"192.0.{i}.7", i).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert texts.UNIT_BUSY in alert_text(complain(app, code, "192.0.9.7", 9))
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.10.7"
    assert visitor_rates(client, code, level="satisfied").status_code == 200  # no order: served
    assert len(orders(engine)) == 3


def test_networks_are_ipv4_24_and_ipv6_64_and_keep_no_address():
    def net(address):
        return network_of(address, secret="k" * 32)

    assert net("198.51.100.1") == net("198.51.100.254") != net("198.51.101.1")
    assert net("::ffff:198.51.100.9") == net("198.51.100.1")
    assert net("2001:db8::1") == net("2001:db8::ffff:1") != net("2001:db8:0:1::1")
    assert net(None) == net("not an address") and "198" not in net("198.51.100.1")
    assert network_of("198.51.100.1", secret="other" * 8) != net("198.51.100.1")


def test_the_digest_job_is_on_the_schedulers_list():
    assert "supervision-digests" in [job.name for job in JOBS]
