"""Notices (通知) from the console: to staff and department groups, delivery and read tracking."""

from __future__ import annotations

import math

import pytest
from sqlmodel import Session, select

from backend.demo.emulator_link import push_directory
from backend.models import Department, Staff
from backend.schedule.notices import NoticeError, notice_status, send_notice
from tests.support.chat import Member
from tests.support.console import add_account, login_client
from tests.support.org import WEBHOOK_KEY, _staff, add_many_staff


def _department_ids(stack, *names: str) -> list[int]:
    with Session(stack.engine) as session:
        return [
            session.exec(select(Department.id).where(Department.name == name)).one()
            for name in names
        ]


def _send_calls(stack) -> int:
    calls = stack.emulator_call("GET", "/_emulator/calls").json()["calls"]
    return sum(1 for c in calls if c["path"].endswith("/message/send"))


@pytest.fixture
def admin(stack):
    add_account(stack.engine, "admin", "admin-pass-123", "admin")
    client = stack.app.test_client()
    return client, login_client(client, "admin", "admin-pass-123")


def test_notice_to_staff_and_group_with_delivery_and_read(stack, admin):
    client, token = admin
    market, lab = _department_ids(stack, "县市场监督管理局", "县食品药品检验所")
    response = client.post(
        "/console/schedule/notices",
        data={
            "csrf_token": token,
            "title": "关于开展食品安全检查的通知",
            "body": "请各单位于11月30日前完成辖区内餐饮单位的全面检查。",
            "department_id": [str(market), str(lab)],
            "to_staff": "1",
            "to_groups": "1",
        },
    )
    assert response.status_code == 302
    detail = response.headers["Location"]
    stack.deliver()

    alice = Member(stack.emulator.url, "alice")
    card = [m for m in alice.pushed_messages() if m.get("card")][-1]["card"]
    assert card["main_title"]["title"] == "关于开展食品安全检查的通知"
    assert "11月30日前" in card["sub_title_text"]
    group = stack.emulator_call("GET", "/_emulator/messages", params={"robot": WEBHOOK_KEY})
    assert "关于开展食品安全检查的通知" in group.json()["messages"][-1]["markdown"]
    assert Member(stack.emulator.url, "erin").pushed_messages() == []  # 县民政局 not chosen
    assert _send_calls(stack) == 1

    reply = alice.sends_event(
        "template_card_event", event_key=card["button_list"][0]["key"], task_id=card["task_id"]
    )
    assert reply == ["已确认收到通知《关于开展食品安全检查的通知》。"]
    alice.sends_event(
        "template_card_event", event_key=card["button_list"][0]["key"], task_id=card["task_id"]
    )
    page = client.get(detail).get_data(as_text=True)
    assert "共5人：已送达5，未送达0，发送中0，已读1；部门群1/1已发出。" in page
    listing = client.get("/console/schedule/notices").get_data(as_text=True)
    assert "关于开展食品安全检查的通知" in listing


def test_a_member_wecom_does_not_know_is_reported_undelivered(stack):
    with Session(stack.engine) as session:
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局")).one()
        _staff(session, "ghost", "未同步成员", market, None)  # not in WeCom's contacts
        notice = send_notice(
            session,
            title="测试通知",
            body="正文",
            department_ids=[market.id],
            to_staff=True,
            to_groups=False,
            sender="admin",
        )
        session.commit()
        notice_id = notice.id
    with Session(stack.engine) as session:
        assert notice_status(session, notice_id=notice_id).waiting == 5
    stack.deliver()
    with Session(stack.engine) as session:
        status = notice_status(session, notice_id=notice_id)
    assert (status.recipients, status.delivered, status.failed, status.read) == (5, 4, 1, 0)


def test_fan_out_is_one_call_per_thousand_recipients(stack):
    with Session(stack.engine) as session:
        add_many_staff(session, 2400)
        session.commit()
        push_directory(session, stack.emulator.url)
        market = session.exec(
            select(Department.id).where(Department.name == "县市场监督管理局")
        ).one()
        count = len(session.exec(select(Staff.id).where(Staff.department_id == market)).all())
        send_notice(
            session,
            title="全员通知",
            body="请于本周五前完成年度述职材料。",
            department_ids=[market],
            to_staff=True,
            to_groups=False,
            sender="admin",
        )
        session.commit()
    while stack.deliver().sent:
        pass
    assert _send_calls(stack) == math.ceil(count / 1000) == 3
    assert len(Member(stack.emulator.url, "member2399").pushed_messages()) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "", "body": "正文", "to_staff": "1"}, "标题须为1–60字"),
        ({"title": "标题", "body": "", "to_staff": "1"}, "正文须为1–500字"),
        ({"title": "标题", "body": "正文"}, "请选择发给部门人员、部门群，或两者"),
        (
            {"title": "标题", "body": "正文", "to_staff": "1", "department_id": []},
            "请至少选择一个部门",
        ),
    ],
)
def test_a_bad_notice_is_refused_and_nothing_is_lost(stack, admin, fields, message):
    client, token = admin
    (market,) = _department_ids(stack, "县市场监督管理局")
    data = {"csrf_token": token, "department_id": [str(market)], **fields}
    response = client.post("/console/schedule/notices", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    if fields["body"]:
        assert fields["body"] in page
    stack.deliver()
    assert Member(stack.emulator.url, "alice").pushed_messages() == []


def test_only_administrators_send_notices(stack):
    (market,) = _department_ids(stack, "县市场监督管理局")
    add_account(stack.engine, "head", "head-pass-1234", "head", department_id=market)
    client = stack.app.test_client()
    token = login_client(client, "head", "head-pass-1234")
    assert client.get("/console/schedule/notices").status_code == 403
    response = client.post(
        "/console/schedule/notices",
        data={"csrf_token": token, "title": "t", "body": "b", "department_id": [str(market)]},
    )
    assert response.status_code == 403


def test_empty_service_arguments_raise_notice_error(session):
    with pytest.raises(NoticeError):
        send_notice(
            session,
            title="t",
            body="b",
            department_ids=[1],
            to_staff=False,
            to_groups=False,
            sender="",
        )
