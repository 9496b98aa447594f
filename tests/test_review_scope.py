"""One definition of a reviewer's scope: the console queue, the chat and the JSON API agree.

They differed for a reviewer whose department has an institution: the console showed only
the reviewer's own department, the chat and the API also the institution's entries.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from backend.db import reading, writing
from backend.entries.review import service as review
from backend.models import Department, Duty, DutyEntry, Role, Staff
from backend.org import api_tokens as auth_tokens
from tests.support.chat import Member
from tests.support.console import add_account, login_client

PASSWORD = "console-pass-1"
LAB_TEXT = "检验所抽检样品三十批次，出具检验报告"


def _ids(session) -> dict[str, int]:
    return {d.name: d.id for d in session.exec(select(Department))}


@pytest.fixture
def lab_entry(stack) -> int:
    """A flagged, submitted entry of frank at the market bureau's institution (检验所)."""
    with writing(stack.engine) as session:
        frank = session.exec(select(Staff).where(Staff.wecom_userid == "frank")).one()
        duty = session.exec(select(Duty)).first()
        entry = DutyEntry(staff_id=frank.id, department_id=frank.department_id,
                          work_date=date.today() - timedelta(days=1), duty_id=duty.id,
                          task_type_code="business", hours=9.0, description=LAB_TEXT)  # fmt: skip
        session.add(entry)
        session.flush()
        return entry.id


def test_the_scope_is_the_own_department_and_its_institutions(stack):
    with reading(stack.engine) as session:
        ids = _ids(session)
        market, lab = ids["县市场监督管理局"], ids["县食品药品检验所"]
        scope = review.review_scope(session, role=Role.REVIEWER, department_id=market)
        assert scope == [market, lab]
        assert review.review_scope(session, role=Role.HEAD, department_id=market) == scope
        assert review.review_scope(session, role=Role.ADMIN, department_id=market) is None
        assert review.review_scope(session, role=Role.STAFF, department_id=market) == []
        assert review.review_scope(session, role=Role.REVIEWER, department_id=None) == []


def test_console_chat_and_api_agree_on_an_institutions_entry(stack, lab_entry):
    with writing(stack.engine) as session:
        market = _ids(session)["县市场监督管理局"]
        carol = session.exec(select(Staff).where(Staff.wecom_userid == "carol")).one()
        token = auth_tokens.create_token(session, staff_id=carol.id)
    add_account(stack.engine, "checker", PASSWORD, "reviewer", market)

    console = stack.app.test_client()
    login_client(console, "checker", PASSWORD)
    assert LAB_TEXT in console.get("/console/review").get_data(as_text=True)

    api = stack.app.test_client().get(
        "/api/v1/review/entries", headers={"Authorization": f"Bearer {token}"}
    )
    assert lab_entry in [e["id"] for e in api.get_json()["entries"]]

    assert LAB_TEXT in Member(stack.emulator.url, "carol").says("审核")[-1]


def test_a_console_reviewer_may_act_on_an_institutions_entry(stack, lab_entry):
    with reading(stack.engine) as session:
        market = _ids(session)["县市场监督管理局"]
    add_account(stack.engine, "checker", PASSWORD, "reviewer", market)
    console = stack.app.test_client()
    csrf = login_client(console, "checker", PASSWORD)
    response = console.post(f"/console/review/{lab_entry}/approve", data={"csrf_token": csrf})
    assert response.status_code == 302
    with reading(stack.engine) as session:
        assert session.get(DutyEntry, lab_entry).status == "approved"
