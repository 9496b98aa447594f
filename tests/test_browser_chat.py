"""A person in a real browser: the emulator's chat page talking to our bot, and group chats."""

from __future__ import annotations

import pytest

from backend.db import writing
from backend.outbox import service as outbox
from backend.outbox.service import OutgoingContent
from tests.support.org import WEBHOOK_KEY

pytestmark = pytest.mark.browser


def test_help_through_the_chat_page(sqlite_stack, page, artifacts):
    page.goto(sqlite_stack.emulator.url + "/")
    page.fill("#staff-search", "李晓燕")
    page.click('.staff-item[data-userid="alice"]')
    page.fill("#chat-input", "帮助")
    page.click("#send-button")
    answer = page.locator(".msg.bot").filter(has_text="履职助手可以为您做这些事")
    answer.first.wait_for(timeout=15_000)
    page.screenshot(path=str(artifacts / "chat-help.png"), full_page=True)


def test_group_chat_shows_posts(sqlite_stack, page):
    with writing(sqlite_stack.engine) as session:
        content = OutgoingContent("markdown", {"content": "**本周履职概况** 填报率 96.5%"})
        outbox.enqueue_to_group(session, channel="webhook", target=WEBHOOK_KEY, content=content)
    assert sqlite_stack.deliver().sent == 1
    page.goto(sqlite_stack.emulator.url + "/")
    page.click(f'.group-item[data-target*="{WEBHOOK_KEY}"]')
    page.locator(".group-post").filter(has_text="填报率 96.5%").first.wait_for(timeout=15_000)


def test_a_full_duty_entry_through_the_chat_page(sqlite_stack, page, artifacts):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from sqlmodel import Session, select

    from backend.models import DutyEntry

    sqlite_stack.clock.frozen = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    page.goto(sqlite_stack.emulator.url + "/")
    page.click('.staff-item[data-userid="alice"]')
    steps = [
        ("填报", "哪天"),
        ("好", "哪项职责"),
        ("1", "任务类型"),
        ("好", "工时"),
        ("两个半小时", "几件"),
        ("跳过", "描述"),
        ("检查辖区内食品经营户12家，发现问题2处并督促整改", "请核对"),
        ("确认", "已保存"),
    ]
    for answer, expected in steps:
        page.fill("#chat-input", answer)
        page.press("#chat-input", "Enter")
        page.locator(".msg.bot").last.filter(has_text=expected).wait_for(timeout=15_000)
    page.screenshot(path=str(artifacts / "chat-duty-entry.png"), full_page=True)
    with Session(sqlite_stack.engine) as session:
        [entry] = session.exec(select(DutyEntry)).all()
    assert entry.hours == 2.5 and entry.description.startswith("检查辖区内食品经营户12家")


def test_long_connection_chat_and_a_group_mention(sqlite_stack, page, artifacts):
    try:
        sqlite_stack.use_channel("longconn")  # the bot connects; the page chooses the channel
        sqlite_stack.use_channel("callback")
        page.goto(sqlite_stack.emulator.url + "/")
        page.click('.staff-item[data-userid="alice"]')
        page.locator("#channel").wait_for(state="visible", timeout=15_000)
        page.select_option("#channel", "longconn")
        page.locator("#chat-status").filter(has_text="长连接").wait_for(timeout=15_000)
        page.fill("#chat-input", "帮助")
        page.press("#chat-input", "Enter")
        page.locator(".msg.bot").filter(has_text="履职助手可以为您做这些事").first.wait_for(
            timeout=15_000
        )
        page.click(f'.group-item[data-target*="{WEBHOOK_KEY}"]')
        page.fill("#group-input", "谁管 食品")
        page.press("#group-input", "Enter")
        answer = page.locator(".group-post").filter(has_text="与“食品”有关的职责")
        answer.first.wait_for(timeout=15_000)
        assert "智能机器人" in answer.first.inner_text()
        asked = page.locator(".group-post").filter(has_text="李晓燕 @履职助手")
        assert asked.count() == 1
        page.screenshot(path=str(artifacts / "longconn-group.png"), full_page=True)
    finally:
        sqlite_stack.use_channel("callback")


def test_an_approved_leave_through_the_approvals_panel(sqlite_stack, page):
    from datetime import date

    from sqlmodel import Session, select

    from backend.models import Absence

    page.goto(sqlite_stack.emulator.url + "/")
    page.click('.staff-item[data-userid="bob"]')
    page.select_option("#approval-kind", "leave")
    page.fill("#approval-start", "2026-11-24")
    page.fill("#approval-end", "2026-11-25")
    page.click("#approval-submit")
    item = page.locator(".approval-item").filter(has_text="审批中")
    item.first.wait_for(timeout=15_000)
    assert "王建国 · 请假" in item.first.inner_text()
    item.first.get_by_role("button", name="通过").click()
    page.locator(".approval-item").filter(has_text="已通过").first.wait_for(timeout=15_000)
    sqlite_stack.run_jobs()  # the scheduler's job reads the approval from WeCom's API
    with Session(sqlite_stack.engine) as session:
        [absence] = session.exec(select(Absence)).all()
    assert (absence.start_date, absence.end_date) == (date(2026, 11, 24), date(2026, 11, 25))
