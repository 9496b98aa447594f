"""Chat review, called the way the router calls it: `审核`, then `通过` or `退回 原因`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from backend.models import Department, DutyEntry, EntryStatus, OutboxMessage, Staff
from handlers.review_chat import review_command
from tests.support.chat import Member, reply_text
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)
from tests.test_review_rules import GOOD, OTHER, TUESDAY, add_entry, make_county

NOW = datetime(2026, 3, 9, 9, 30, tzinfo=UTC)


@pytest.fixture
def county(session):
    """The small county with duties in every unit."""
    return make_county(session)


@pytest.fixture
def carol(county):
    """Carol, reviewer of 县市场监督管理局."""
    return county["staff"]["carol"]


def says(session, member, text: str) -> str | None:
    """Send a text to the review flow; return the reply text, or None if not handled."""
    replies = review_command(session, member, text, now=NOW)
    if replies is None:
        return None
    return "\n".join(reply.content for reply in replies)


def test_other_texts_are_not_review_commands(session, carol):
    assert says(session, carol, "填报") is None
    assert says(session, carol, "通过") is None  # nothing shown yet
    assert says(session, carol, "退回 太短") is None


def test_a_plain_member_may_not_review(session, county):
    assert "没有审核权限" in says(session, county["staff"]["alice"], "审核")


def test_review_shows_flagged_entries_one_by_one_with_reasons(session, county, carol):
    add_entry(session, county, hours=9)
    add_entry(session, county, "bob", day=TUESDAY, text="开会")
    add_entry(session, county, "bob", text=OTHER)
    first = says(session, carol, "审核")
    assert "李晓燕" in first and "工时超出标准工时" in first and "退回 原因" in first
    assert "标记待审 2 条" in first
    second = says(session, carol, "通过")
    assert "已通过" in second and "王建国" in second and "描述过短" in second
    done = says(session, carol, "通过")
    assert "全部处理完毕" in done and "另有 1 条未标记" in done
    assert says(session, carol, "通过") is None


def test_returning_in_chat_notifies_the_author(session, county, carol):
    entry = add_entry(session, county, text="开会")
    says(session, carol, "审核")
    reply = says(session, carol, "退回：请写明会议名称和议定事项")
    assert "已退回" in reply and "李晓燕" in reply
    assert entry.status == EntryStatus.RETURNED
    assert entry.return_reason == "请写明会议名称和议定事项"
    message = session.exec(select(OutboxMessage)).one()
    assert "发送“修改”进行更正" in json.loads(message.payload)["content"]


def test_a_return_without_reason_asks_for_one(session, county, carol):
    entry = add_entry(session, county, text="开会")
    says(session, carol, "审核")
    assert "写明原因" in says(session, carol, "退回")
    assert entry.status == EntryStatus.SUBMITTED


def test_an_entry_reviewed_elsewhere_meanwhile_is_skipped(session, county, carol):
    entry = add_entry(session, county, text="开会")
    says(session, carol, "审核")
    entry.status = EntryStatus.APPROVED
    session.flush()
    assert "已经审核过了" in says(session, carol, "通过")


def test_nothing_flagged_says_so(session, county, carol):
    add_entry(session, county, text=GOOD)
    reply = says(session, carol, "审核")
    assert "全部处理完毕" in reply and "另有 1 条" in reply
    assert session.exec(select(DutyEntry)).one().status == EntryStatus.SUBMITTED


def test_a_reviewer_returns_an_entry_over_wecom_and_the_author_is_told(stack):
    with Session(stack.engine) as session:
        county = {"staff": {s.wecom_userid: s for s in session.exec(select(Staff))}}
        market = session.get(Department, county["staff"]["alice"].department_id)
        county["departments"] = [market]
        add_entry(session, county, text="开会")
        session.commit()
    carol = Member(stack.emulator.url, "carol")
    carol.says("审核")
    assert "描述过短" in carol.last_reply()
    carol.says("退回 请写明会议名称和议定事项")
    assert "已退回" in carol.last_reply()
    stack.deliver()
    notice = Member(stack.emulator.url, "alice").pushed_messages()[-1]
    assert "请写明会议名称和议定事项" in reply_text(notice)
    assert "发送“修改”进行更正" in reply_text(notice)


def test_an_entry_deleted_by_its_author_meanwhile_is_skipped(session, county, carol):
    entry = add_entry(session, county, text="开会")
    says(session, carol, "审核")
    session.delete(entry)
    session.flush()
    assert "找不到这条履职记录" in says(session, carol, "通过")


def test_a_reviewer_is_not_shown_their_own_entries(session, county, carol):
    add_entry(session, county, "carol", text="开会")
    assert "全部处理完毕" in says(session, carol, "审核")
