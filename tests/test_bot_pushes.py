"""Pushes through the intelligent bot: members' follow-ups, reminders and card buttons over the
long connection, group posts to a bot group (files through its message-push webhook), retries
after a lost connection, and the console's bot route."""

from __future__ import annotations

import time
from datetime import datetime

from sqlmodel import Session, select

from backend.db import reading, writing
from backend.demo.emulator_link import push_directory
from backend.models import BotGroupChat, Department, OutboxMessage, OutboxStatus
from backend.org.service import set_chat_target
from backend.outbox import service as outbox
from backend.outbox.rules import GroupRoute
from backend.outbox.service import OutgoingContent
from backend.reports.service import post_files
from scheduled.reminders import run_reminders
from scheduled.reports import weekly_summaries
from tests.support.chat import Member
from tests.support.console import add_account, login_client

CHANNELS = ("longconn",)
BOT_GROUP = "wrMarketBotGroup01"
PUSH_KEY = "3c1f0a2b-7d4e-4f5a-9b6c-8d7e6f5a4b3c"
PASSWORD = "console-pass-1"


def _wait(condition, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)
    return found


def _messages(stack, **filters) -> list[dict]:
    return stack.emulator_call("GET", "/_emulator/messages", params=filters).json()["messages"]


def _pushes(stack, **filters) -> list[dict]:
    return [m for m in _messages(stack, channel="bot", **filters) if m.get("pushed")]


def _app_sends(stack) -> int:
    calls = stack.emulator_call("GET", "/_emulator/calls", params={"path": "message/send"})
    return len(calls.json()["calls"])


def _market_to_bot_group(stack, files_key: str = "") -> None:
    """Route 县市场监督管理局's group posts to a group the bot is in (and tell the emulator)."""
    with writing(stack.engine) as session:
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局"))
        department = market.one()
        set_chat_target(
            session, department=department, kind="bot", target=BOT_GROUP, files_key=files_key
        )
    with reading(stack.engine) as session:
        push_directory(session, stack.emulator.url)


def _row(stack, row_id: int) -> OutboxMessage:
    with Session(stack.engine) as session:
        return session.get_one(OutboxMessage, row_id)


def test_a_weekly_post_reaches_the_bot_group_as_markdown_and_its_image_by_webhook(stack):
    _market_to_bot_group(stack, files_key=PUSH_KEY)
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=stack.settings.timezone)
    assert weekly_summaries(stack.engine, now=monday, settings=stack.settings) >= 1
    stack.deliver()  # the scheduler's worker: the image through the webhook, never the bot rows
    [text] = _wait(lambda: _pushes(stack, chatid=BOT_GROUP), "the summary pushed by the bot")
    assert text["msgtype"] == "markdown" and "县市场监督管理局" in text["content"]
    [image] = _messages(stack, robot=PUSH_KEY)
    assert image["msgtype"] == "image" and image["media"]["size"] > 1000
    with Session(stack.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.channel == "bot")).all()
    assert [row.status for row in rows] == [OutboxStatus.SENT]


def test_a_bot_group_without_a_push_key_is_told_where_to_download_the_file(stack):
    _market_to_bot_group(stack)
    with writing(stack.engine) as session:
        route = GroupRoute("bot", "wrNoSuchGroup")  # the emulator: the bot is not in it
        post_files(session, target=GroupRoute("bot", BOT_GROUP), files=[("周报_*1*.png", b"x")])
        post_files(session, target=route, files=[("data.md", "**本周**".encode())])
    [note] = _wait(lambda: _pushes(stack, chatid=BOT_GROUP), "the note pushed by the bot")
    assert "/console/reports" in note["content"] and "周报＿＊1＊.png" in note["content"]

    def refused() -> list[OutboxMessage]:
        with Session(stack.engine) as session:
            failed = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
            return list(session.exec(failed).all())

    [failed] = _wait(refused, "the push to a chat without the bot is refused")
    assert failed.last_error is not None and failed.last_error.startswith("86003")


def test_follow_ups_and_card_buttons_go_over_the_connection(stack):
    stack.clock.frozen = datetime(2026, 11, 23, 10, 0, tzinfo=stack.settings.timezone)
    alice = Member(stack.emulator.url, "alice")
    alice.says("填报")
    alice.says("好")
    assert "任务类型" in alice.says("2")[0]  # the first reply: a reply frame; then a card
    [card] = _wait(lambda: _pushes(stack, userid="alice"), "the card pushed to alice")
    assert card["msgtype"] == "template_card"
    key = card["card"]["button_list"][1]["key"]
    task_id = card["card"]["task_id"]
    assert "工时" in alice.sends_event("template_card_event", event_key=key, task_id=task_id)[0]
    assert stack.deliver().sent == 0 and _app_sends(stack) == 0  # nothing for message/send


def test_a_reminder_card_arrives_through_the_bot_and_its_button_starts_logging(stack):
    stack.clock.frozen = datetime(2026, 11, 23, 17, 40, tzinfo=stack.settings.timezone)
    run_reminders(stack.engine, now=stack.clock.frozen)
    alice = Member(stack.emulator.url, "alice")
    cards = _wait(
        lambda: [m for m in _pushes(stack, userid="alice") if m["msgtype"] == "template_card"],
        "alice's reminder card through the bot",
    )
    card = cards[-1]["card"]
    assert card["task_id"].startswith("reminder")
    assert _app_sends(stack) == 0
    key = card["button_list"][0]["key"]
    reply = alice.sends_event("template_card_event", event_key=key, task_id=card["task_id"])
    assert "哪项职责" in reply[0] or "职责" in reply[0]


def test_a_push_queued_while_disconnected_is_retried_and_delivered_once(stack):
    assert stack.bot is not None
    stack.bot.stop()  # no connection: nothing can send the bot's rows
    stack.bot = None
    with writing(stack.engine) as session:
        content = OutgoingContent("text", {"content": "请于周五前提交 *材料* <@all>"})
        [row] = outbox.enqueue_to_users(session, user_ids=["alice"], content=content)
        row_id = row.id
    assert row.channel == "bot" and row.msgtype == "markdown"
    assert stack.deliver().sent == 0 and _row(stack, row_id).status == OutboxStatus.PENDING
    stack.emulator_call("PUT", "/_emulator/bot", json={"push_errcode": -1})  # WeCom busy
    try:
        stack.use_channel("longconn")  # the bot is back
        _wait(lambda: _row(stack, row_id).attempts == 1, "a refused attempt")
    finally:
        stack.emulator_call("PUT", "/_emulator/bot", json={"push_errcode": 0})
    failed = _row(stack, row_id)
    assert failed.status == OutboxStatus.PENDING and (failed.last_error or "").startswith("-1")
    with writing(stack.engine) as session:
        outbox.retry_now(session, row_id=row_id)
    _wait(lambda: _row(stack, row_id).status == OutboxStatus.SENT, "delivered on retry")
    [pushed] = _pushes(stack, userid="alice")
    assert pushed["content"] == "请于周五前提交 ＊材料＊ ＜＠all＞"  # shown as typed, no mention
    assert _row(stack, row_id).attempts == 2 and _app_sends(stack) == 0


def test_the_http_worker_claims_no_bot_row(stack):
    assert stack.bot is not None
    stack.bot.stop()  # so that only this test claims
    stack.bot = None
    try:
        with writing(stack.engine) as session:
            content = OutgoingContent("markdown", {"content": "周报"})
            bot = outbox.enqueue_to_group(session, channel="bot", target="x", content=content)
            image = OutgoingContent("image", {}, b"\x89PNG", "chart.png")  # stays on the app
            app = outbox.enqueue_to_users(session, user_ids=["bob"], content=image)[0]
            ids = bot.id, app.id
        with writing(stack.engine) as session:
            assert outbox.claim_due(session) == [ids[1]]
            assert outbox.claim_due(session, bot=True) == [ids[0]]
    finally:
        stack.use_channel("longconn")


def _admin(stack):
    add_account(stack.engine, "admin", PASSWORD, "admin")
    client = stack.app.test_client()
    return client, login_client(client, "admin", PASSWORD)


def _department_id(stack, name: str) -> int:
    with Session(stack.engine) as session:
        return session.exec(select(Department.id).where(Department.name == name)).one()


def test_the_console_sets_a_bot_route_and_shows_its_groups_and_posts(stack):
    client, token = _admin(stack)
    path = f"/console/settings/targets/{_department_id(stack, '县民政局')}"
    refusals = {
        "请填写智能机器人所在群的群聊 ID": {"kind": "bot", "target": ""},
        "群聊 ID 只能由字母": {"kind": "bot", "target": "wr 群"},
        "消息推送 key 只用于": {"kind": "webhook", "target": "k1", "files_key": PUSH_KEY},
        "消息推送 key 格式不对": {"kind": "bot", "target": "wrCivil", "files_key": "短"},
    }
    for message, form in refusals.items():
        answer = client.post(path, data={"csrf_token": token, **form})
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={PUSH_KEY}"
    form = {"csrf_token": token, "kind": "bot", "target": "wrCivil01", "files_key": url}
    assert client.post(path, data=form).status_code == 302
    with Session(stack.engine) as session:
        civil = session.get_one(Department, _department_id(stack, "县民政局"))
        assert (civil.chat_target_kind, civil.chat_target) == ("bot", "wrCivil01")
        assert civil.chat_webhook_key == PUSH_KEY
    Member(stack.emulator.url, "erin").says_in_group("wrCivil01", "谁管 救助")
    _wait(lambda: _bot_group_noted(stack, "wrCivil01"), "the group's chatid noted")
    with reading(stack.engine) as session:
        push_directory(session, stack.emulator.url)  # the bot is in that group
    with writing(stack.engine) as session:
        civil_route = GroupRoute("bot", "wrCivil01", PUSH_KEY)
        content = OutgoingContent("markdown", {"content": "本周履职概况"})
        outbox.enqueue_group_post(session, route=civil_route, content=content)
    _wait(lambda: _pushes(stack, chatid="wrCivil01"), "the post through the bot")
    page = client.get("/console/settings").get_data(as_text=True)
    assert "智能机器人 · 已送达" in page and "消息推送（图表和文件） · " in page
    listed = page.split('id="bot-group-list"')[1]
    assert "wrCivil01" in listed and "刘芳" in listed and "县民政局的工作群" in listed


def _bot_group_noted(stack, chatid: str) -> bool:
    with Session(stack.engine) as session:
        found = session.exec(select(BotGroupChat).where(BotGroupChat.chatid == chatid)).first()
    return found is not None and found.last_userid == "erin"


def test_a_notice_reaches_members_and_the_bot_group_and_is_read_over_the_connection(stack):
    from backend.schedule.notices import notice_status, send_notice

    _market_to_bot_group(stack)
    with writing(stack.engine) as session:
        market = session.exec(select(Department).where(Department.name == "县市场监督管理局"))
        notice = send_notice(
            session,
            title="周五前报送材料",
            body="请各股室于周五前报送。",
            department_ids=[market.one().id],
            to_staff=True,
            to_groups=True,
            sender="admin",
        )
        notice_id = notice.id
    [card] = _wait(lambda: _pushes(stack, userid="alice"), "alice's notice card")
    [post] = _wait(lambda: _pushes(stack, chatid=BOT_GROUP), "the notice in the bot group")
    assert "周五前报送材料" in post["content"]
    key, task_id = card["card"]["button_list"][0]["key"], card["card"]["task_id"]
    alice = Member(stack.emulator.url, "alice")
    assert (
        "周五前报送材料"
        in alice.sends_event("template_card_event", event_key=key, task_id=task_id)[0]
    )

    def status():
        with Session(stack.engine) as session:
            found = notice_status(session, notice_id=notice_id)
        return found if found.waiting == 0 and found.groups_posted == 1 else None

    found = _wait(status, "every push acknowledged")
    assert found.delivered == found.recipients >= 4 and found.read == 1
    assert _app_sends(stack) == 0
