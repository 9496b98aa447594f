"""The form engine: cancel, back, idle timeout and resume, restarts, and a non-duty form."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from backend.app import create_app
from backend.chat import conversations
from backend.db import writing
from backend.models import Conversation, DutyEntry, Staff
from handlers import forms
from handlers.forms import Context, Form, Invalid, Step
from handlers.turn import Turn
from tests.support.chat import Member
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def _conversation(stack, userid: str = "alice") -> Conversation | None:
    with Session(stack.engine) as session:
        return session.get(Conversation, userid)


def _entries(stack) -> list[DutyEntry]:
    with Session(stack.engine) as session:
        return list(session.exec(select(DutyEntry)).all())


def test_cancel_forgets_the_form(stack, alice: Member):
    alice.says("填报")
    alice.says("好")
    assert "已取消" in alice.says("取消")[0]
    assert _conversation(stack) is None
    assert "没有进行中" in alice.says("取消")[0]


def test_back_returns_one_step_and_asks_again(stack, alice: Member):
    stack.clock.frozen = MONDAY
    alice.says("填报")
    assert "第一步" in alice.says("返回")[0]
    alice.says("好")
    alice.says("2")
    assert "哪项职责" in alice.says("上一步")[0]
    assert "任务类型" in alice.says("3")[0]


def test_an_idle_form_is_kept_offered_and_resumed(stack, alice: Member):
    stack.clock.frozen = MONDAY
    for answer in ["填报", "好", "2", "好"]:
        alice.says(answer)
    stack.clock.frozen = MONDAY + forms.IDLE_TIMEOUT + timedelta(minutes=1)
    reply = alice.says("2.5")[0]
    assert "没有听懂" in reply
    stack.deliver()
    assert "继续" in alice.pushed_messages()[-1]["content"]
    assert _conversation(stack).paused
    assert "工时" in alice.says("继续")[0]
    alice.says("2.5")
    assert "几件" in alice.last_reply()


def test_help_while_paused_still_answers(stack, alice: Member):
    stack.clock.frozen = MONDAY
    alice.says("填报")
    stack.clock.frozen = MONDAY + timedelta(hours=2)
    assert "帮助" in alice.says("帮助")[0]
    assert "哪天" in alice.says("继续")[0]


def test_state_lives_only_in_the_database(stack, alice: Member):
    stack.clock.frozen = MONDAY
    for answer in ["填报", "好", "2", "好"]:
        alice.says(answer)
    served = stack._servers[0].app  # the web server's WSGI wrapper
    first_app = served.app
    served.app = create_app(stack.settings, engine=stack.engine, clock=stack.clock)
    try:
        again = Member(stack.emulator.url, "alice")
        for answer in ["3", "跳过", "重启之后继续填写的记录"]:
            again.says(answer)
    finally:
        served.app = first_app
    assert "请核对" in again.last_reply()
    again.says("确认")
    assert [e.hours for e in _entries(stack)] == [3.0]


def _rating_form(session, name: str) -> Form:
    def parse_score(ctx: Context, text: str) -> int:
        if not text.isdigit() or not 1 <= int(text) <= 5:
            raise Invalid("请回复1到5的数字。")
        return int(text)

    def finish(ctx: Context):
        from bot.replies import TextReply

        return [TextReply(f"谢谢，得分{ctx.answers['score']}。")]

    steps = (
        Step("score", "评分", lambda c: "请打分（1–5）。", parse_score),
        Step("why", "理由", lambda c: "为什么？", lambda c, t: t, lambda c: c.answers["score"] < 3),
    )
    return Form(name, "问卷", steps, lambda c: f"评分：{c.answers['score']}", finish)


def test_the_engine_runs_any_form(stack, alice: Member):
    forms.register_factory("toy-rating", _rating_form)
    with writing(stack.engine) as session:
        staff = session.exec(select(Staff).where(Staff.wecom_userid == "alice")).one()
        form = forms.form_named(session, "toy-rating:1")
        slot = conversations.load(session, wecom_userid="alice")
        forms.start(Turn(session, staff, MONDAY, slot), form)
        assert conversations.store(session, slot)
    stack.clock.frozen = MONDAY
    assert "1到5" in alice.says("9")[0]
    assert "为什么" in alice.says("2")[0]
    assert "评分：2" in alice.says("不方便")[0]
    assert "得分2" in alice.says("确认")[0]
    assert _conversation(stack) is None


def test_help_inside_a_form_explains_the_exits_and_asks_again(stack, alice: Member):
    alice.says("填报")
    assert "取消" in alice.says("帮助")[0]
    stack.deliver()
    assert "哪天" in alice.pushed_messages()[-1]["content"]
