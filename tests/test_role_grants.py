"""Roles a roster names (审核员, 部门负责人, 管理员) count only once an administrator confirms.

Before, an uploaded roster set `Staff.role` directly, and a member marked 管理员 then signed in
from WeCom as a console administrator: a file was as good as an administrator's decision.
"""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from backend.db import reading, writing
from backend.models import GrantStatus, Role, RoleGrant, Staff
from backend.models.accounts import AuditLog
from backend.org.accounts import account_for_staff
from tests.support.console import add_account, login_client
from tests.support.excel import MARKET, filled_template

PASSWORD = "console-pass-1"
ROSTER = [
    [MARKET, "登记注册股", "周强", "zhouqiang", "事业编制", "", "", "", "", "管理员", "", ""],
    [MARKET, "办公室", "陈静", "carol", "机关行政编制", "", "", "", "", "工作人员", "", ""],
    [MARKET, "办公室", "王建国", "bob", "机关行政编制", "", "", "", "", "部门负责人", "", ""],
]  # fmt: skip


@pytest.fixture
def admin(stack):
    """A signed-in administrator's test client and CSRF token."""
    add_account(stack.engine, "admin", PASSWORD, "admin")
    client = stack.app.test_client()
    return client, login_client(client, "admin", PASSWORD)


def _import(stack, client, token, rows=ROSTER) -> dict:
    form = {"csrf_token": token, "file": (io.BytesIO(filled_template("roster", rows)), "名册.xlsx")}
    response = client.post("/console/imports/roster", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    stack.run_jobs()
    return client.get(response.headers["Location"] + ".json").get_json()


def _member(stack, userid: str) -> tuple[Staff, object]:
    """Return the member and the console account they would sign in as from WeCom."""
    with writing(stack.engine) as session:
        staff = session.exec(select(Staff).where(Staff.wecom_userid == userid)).one()
        account = account_for_staff(session, staff=staff)
        return staff, None if account is None else account.role


def _grants(stack) -> list[RoleGrant]:
    with reading(stack.engine) as session:
        return list(session.exec(select(RoleGrant).order_by(RoleGrant.id)))


def test_an_import_alone_grants_no_role(stack, admin):
    state = _import(stack, *admin)
    assert state["status"] == "done" and state["message"]["pending_grants"] == 2
    zhou, zhou_account = _member(stack, "zhouqiang")
    assert zhou.role == Role.STAFF and zhou_account is None  # not a console administrator
    bob, bob_account = _member(stack, "bob")
    assert bob.role == Role.STAFF and bob_account is None
    assert {(g.role, g.status) for g in _grants(stack)} == {
        (Role.ADMIN, GrantStatus.PENDING), (Role.HEAD, GrantStatus.PENDING),
    }  # fmt: skip
    page = admin[0].get("/console/grants").get_data(as_text=True)
    assert "周强" in page and "王建国" in page and "确认" in page and "拒绝" in page


def test_taking_a_role_away_applies_at_once(stack, admin):
    _import(stack, *admin)
    carol, account = _member(stack, "carol")
    assert carol.role == Role.STAFF and account is None


def test_importing_the_same_roster_again_asks_nothing_new(stack, admin):
    _import(stack, *admin)
    again = _import(stack, *admin)
    assert "pending_grants" not in again["message"]
    assert again["message"]["report"]["updated"] == 0
    assert len(_grants(stack)) == 2


def test_confirmation_grants_the_role_and_is_audited(stack, admin):
    client, token = admin
    _import(stack, client, token)
    by_role = {g.role: g for g in _grants(stack)}
    zhou_grant, bob_grant = by_role[Role.ADMIN], by_role[Role.HEAD]
    confirmed = client.post(f"/console/grants/{zhou_grant.id}/confirm", data={"csrf_token": token})
    assert confirmed.status_code == 302
    rejected = client.post(f"/console/grants/{bob_grant.id}/reject", data={"csrf_token": token})
    assert rejected.status_code == 302
    zhou, zhou_account = _member(stack, "zhouqiang")
    assert zhou.role == Role.ADMIN and zhou_account == "admin"
    assert _member(stack, "bob")[0].role == Role.STAFF
    with reading(stack.engine) as session:
        actions = [a.action for a in session.exec(select(AuditLog))]
    assert "role_grant_confirm" in actions and "role_grant_reject" in actions
    twice = client.post(f"/console/grants/{zhou_grant.id}/confirm", data={"csrf_token": token})
    assert twice.status_code == 400 and "已处理" in twice.get_data(as_text=True)


def test_a_later_roster_supersedes_a_pending_request(stack, admin):
    _import(stack, *admin)
    fewer = [[*ROSTER[0][:9], "审核员", "", ""], *ROSTER[1:2]]
    _import(stack, *admin, rows=fewer)
    states = {(g.role, g.status) for g in _grants(stack)}
    assert states == {
        (Role.ADMIN, GrantStatus.SUPERSEDED), (Role.HEAD, GrantStatus.PENDING),
        (Role.REVIEWER, GrantStatus.PENDING),
    }  # fmt: skip


def test_only_administrators_decide_grants(stack, admin):
    _import(stack, *admin)
    with reading(stack.engine) as session:
        market = session.exec(select(Staff).where(Staff.wecom_userid == "alice")).one()
    add_account(stack.engine, "markethead", PASSWORD, "head", market.department_id)
    head = stack.app.test_client()
    token = login_client(head, "markethead", PASSWORD)
    assert head.get("/console/grants").status_code == 403
    grant = next(g for g in _grants(stack) if g.role == Role.ADMIN)
    refused = head.post(f"/console/grants/{grant.id}/confirm", data={"csrf_token": token})
    assert refused.status_code == 403
    assert _member(stack, "zhouqiang")[0].role == Role.STAFF
