"""The work-pattern console page: set and clear a member's or section's weekdays, exceptions."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from backend.models import Section, WorkDayException, WorkPattern
from tests.support.console import add_account, login_client

PAGE = "/console/org/patterns"


@pytest.fixture
def admin(sqlite_stack):
    sqlite_stack.clock.frozen = datetime(2026, 11, 24, 9, 0, tzinfo=sqlite_stack.settings.timezone)
    add_account(sqlite_stack.engine, "admin", "admin-pass-123", "admin")
    client = sqlite_stack.app.test_client()
    return client, login_client(client, "admin", "admin-pass-123")


def _patterns(stack) -> list[WorkPattern]:
    with Session(stack.engine) as session:
        return list(session.exec(select(WorkPattern)).all())


def test_set_and_clear_a_members_pattern(sqlite_stack, admin):
    client, token = admin
    assert "所有人员都按单位日历" in client.get(PAGE).get_data(as_text=True)
    form = {"csrf_token": token, "userid": "bob", "weekdays": "周二至周六", "note": "窗口值班"}
    assert client.post(PAGE, data=form).status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "王建国（县市场监督管理局）" in page and "周二至周六" in page and "窗口值班" in page
    [row] = _patterns(sqlite_stack)
    assert (row.weekdays, row.section_id) == ("23456", None)
    assert client.post(f"{PAGE}/{row.id}/delete", data={"csrf_token": token}).status_code == 302
    assert _patterns(sqlite_stack) == []


def test_bad_input_is_refused_in_chinese(sqlite_stack, admin):
    client, token = admin
    bad = client.post(PAGE, data={"csrf_token": token, "userid": "bob", "weekdays": "周八"})
    assert bad.status_code == 400 and "无法识别" in bad.get_data(as_text=True)
    nobody = client.post(PAGE, data={"csrf_token": token, "userid": "nobody", "weekdays": "2-6"})
    assert nobody.status_code == 400 and "找不到企业微信账号" in nobody.get_data(as_text=True)
    neither = client.post(PAGE, data={"csrf_token": token, "weekdays": "2-6"})
    assert neither.status_code == 400 and "二者选一" in neither.get_data(as_text=True)
    assert client.post(PAGE, data={"userid": "bob", "weekdays": "2-6"}).status_code == 400
    assert _patterns(sqlite_stack) == []


def test_a_section_pattern_and_an_exception(sqlite_stack, admin):
    client, token = admin
    with Session(sqlite_stack.engine) as session:
        office = session.exec(select(Section.id).where(Section.name == "办公室")).one()
    form = {"csrf_token": token, "section_id": str(office), "weekdays": "1-6"}
    assert client.post(PAGE, data=form).status_code == 302
    day = {"csrf_token": token, "userid": "alice", "day": "2026-11-28", "works": "works"}
    assert client.post(f"{PAGE}/exceptions", data=day).status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "县市场监督管理局·办公室" in page and "周一至周六" in page
    assert "2026-11-28（周六）" in page and "李晓燕（县市场监督管理局）" in page
    with Session(sqlite_stack.engine) as session:
        [row] = session.exec(select(WorkDayException)).all()
    assert (row.day, row.works) == (date(2026, 11, 28), True)
    delete = client.post(f"{PAGE}/exceptions/{row.id}/delete", data={"csrf_token": token})
    assert delete.status_code == 302
    assert "今天以后没有单独安排的日期" in client.get(PAGE).get_data(as_text=True)
