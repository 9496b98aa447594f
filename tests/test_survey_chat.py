"""Answering surveys in chat through the emulator: several members, back, resume, duplicates."""

from __future__ import annotations

import threading
from datetime import timedelta

import requests
from sqlmodel import Session, func, select

from backend.app import create_app
from backend.db import make_engine
from backend.models import Conversation, SurveyAnswer, SurveyResponse
from backend.models.surveys import SurveyKind
from backend.surveys import queries as survey_queries
from tests.support.chat import Member
from tests.support.stack import CHANNELS  # noqa: F401  (conversations run through each)
from tests.support.surveys import NOW, add_mutual_evaluation, add_self_evaluation

ALICE = ["1"] * 10 + ["5"] * 5 + ["10"] * 3 + ["90"] * 3 + ["1 2"] * 2 + ["跳过", "加强培训"]
BOB = ["2"] * 10 + ["4"] * 5 + ["7"] * 3 + ["100"] * 3 + ["1,2,3"] * 2 + ["无", "增加编制"]
CAROL = ["1"] * 10 + ["3"] * 5 + ["10"] * 3 + ["95.5"] * 3 + ["4"] * 2 + ["跳过", "减少会议"]
# By hand (weights 10×4, 5×4, 3×5, 3×5, 2×5): alice 9650/100, bob 8200/100, carol 7932.5/100.
EXPECTED = {"alice": 96.5, "bob": 82.0, "carol": 79.325}
# Answer rows: 21 one-value answers, one row per chosen option, texts given (bob's "无" is a text).
ROWS = (21 + 4 + 1) + (21 + 6 + 2) + (21 + 2 + 1)


def make_survey(stack):
    with Session(stack.engine) as session:
        survey = add_self_evaluation(session)
        session.commit()
        return survey.id


def answer_all(member: Member, survey_id: int, answers: list[str]) -> None:
    reply = member.says(f"问卷 {survey_id}")
    assert "共25题" in reply[0] and "1/25" in reply[0]
    for number, text in enumerate(answers, start=1):
        reply = member.says(text)
        if number < 25:
            assert f"{number + 1}/25" in reply[0], (member.userid, number, reply)
    assert "请核对" in member.last_reply() and answers[-1] in member.last_reply()
    assert "已提交" in member.says("确认")[0]


def responses(stack) -> list[SurveyResponse]:
    with Session(stack.engine) as session:
        return list(session.exec(select(SurveyResponse).order_by(SurveyResponse.id)).all())


def test_invitations_and_the_listing(stack, alice: Member):
    stack.clock.frozen = NOW
    survey_id = make_survey(stack)
    stack.deliver()
    [invite] = [m for m in alice.pushed_messages() if "问卷邀请" in str(m)]
    assert f"问卷 {survey_id}" in str(invite)
    listing = alice.says("问卷")[0]
    assert f"【{survey_id}】2026年度部门履职自评" in listing and "25题" in listing
    erin = Member(stack.emulator.url, "erin")  # 县民政局: not invited
    assert "没有需要您填写" in erin.says("问卷")[0]
    assert "不需要您填写" in erin.says(f"问卷 {survey_id}")[0]


def test_three_members_at_once_with_back_and_scores_by_hand(stack):
    stack.clock.frozen = NOW
    survey_id = make_survey(stack)
    members = {name: Member(stack.emulator.url, name) for name in EXPECTED}
    plans = {"alice": ALICE, "bob": BOB, "carol": CAROL}
    errors: list[BaseException] = []

    def run(name):
        try:
            answer_all(members[name], survey_id, plans[name])
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    stored = responses(stack)
    assert sorted(r.score for r in stored) == sorted(EXPECTED.values())
    start, end = NOW - timedelta(days=30), NOW + timedelta(days=30)
    with Session(stack.engine) as session:
        assert session.exec(select(func.count()).select_from(SurveyAnswer)).one() == ROWS
        department_id = stored[0].evaluated_department_id
        [result] = survey_queries.department_scores(
            session, department_id=department_id, start=start, end=end
        )
    assert result.score == 85.94 and result.responses == 3  # (96.5 + 82 + 79.325) / 3


def test_back_changes_the_previous_answer_and_edit_at_the_summary(stack, alice: Member):
    stack.clock.frozen = NOW
    survey_id = make_survey(stack)
    alice.says(f"问卷 {survey_id}")
    assert "2/25" in alice.says("3")[0]
    assert "1/25" in alice.says("返回")[0]
    assert "2/25" in alice.says("1")[0]
    for text in ALICE[1:]:
        alice.says(text)
    assert "请核对" in alice.last_reply()
    assert "3/25" in alice.says("修改 3")[0]
    alice.says("4")  # 较差
    assert "较差" in alice.replies[-1]
    alice.says("确认")
    [response] = responses(stack)
    assert response.score == (9650 - 400) / 100


def test_bad_answers_are_explained_and_nothing_is_stored(stack, alice: Member):
    stack.clock.frozen = NOW
    survey_id = make_survey(stack)
    alice.says(f"问卷 {survey_id}")
    assert "没有第7个选项" in alice.says("7")[0]
    assert "选项编号" in alice.says("很好呀")[0]
    for text in ALICE[:10]:
        alice.says(text)
    assert "1–5" in alice.says("6")[0] and "11/25" in alice.replies[-2]
    for text in ["5"] * 5 + ["10"] * 3:
        alice.says(text)
    assert "0–100" in alice.says("101")[0]
    assert "0–100" in alice.says("-5")[0]
    for text in ["90"] * 3:
        alice.says(text)
    assert "没有第5个选项" in alice.says("1 5")[0]
    assert "重复" in alice.says("1 1")[0]
    for text in ["1 2"] * 2 + ["跳过"]:
        alice.says(text)
    assert "必答" in alice.says("跳过")[0]
    assert responses(stack) == []


def test_resume_after_a_restart_and_a_duplicated_confirmation(stack, alice: Member):
    stack.clock.frozen = NOW
    survey_id = make_survey(stack)
    alice.says(f"问卷 {survey_id}")
    for text in ALICE[:12]:
        alice.says(text)
    lazy = stack._servers[0].app  # the web server's app holder: swap in a freshly built app
    original, engine = lazy.app, make_engine(stack.settings.DATABASE_URL)
    lazy.app = create_app(stack.settings, engine=engine, clock=stack.clock)
    try:
        stack.clock.frozen = NOW + timedelta(hours=2)  # idle: the next message pauses the form
        assert "今天" in alice.says("今天")[0]  # answered as a command; the form waits
        assert "13/25" in alice.says(f"问卷 {survey_id}")[0]  # the same survey again: resumed
        for text in ALICE[12:]:
            alice.says(text)
        stack.emulator_call("PUT", "/_emulator/faults", json={"duplicate_callbacks": 3})
        say = {"userid": "alice", "text": "确认"}
        result = requests.post(stack.emulator.url + "/_emulator/say", json=say, timeout=30).json()
        assert result["delivered"] == 3
    finally:
        stack.emulator_call("PUT", "/_emulator/faults", json={"duplicate_callbacks": 1})
        lazy.app = original
        engine.dispose()
    [response] = responses(stack)
    assert response.score == 96.5 and response.channel == "chat"
    assert "已经提交过" in alice.says(f"问卷 {survey_id}")[0]
    with Session(stack.engine) as session:
        assert session.get(Conversation, "alice") is None


def test_a_closed_or_unknown_survey_is_refused_politely(stack, alice: Member):
    stack.clock.frozen = NOW
    survey_id = make_survey(stack)
    assert "没有找到" in alice.says("问卷 999")[0]
    alice.says(f"问卷 {survey_id}")
    alice.says("1")
    stack.clock.frozen = NOW + timedelta(days=8)
    assert "截止" in alice.says("1")[0]
    assert "截止" in alice.says(f"问卷 {survey_id}")[0]
    assert responses(stack) == []


def test_mutual_evaluation_goes_straight_to_the_other_department(stack):
    stack.clock.frozen = NOW
    with Session(stack.engine) as session:
        survey_id = add_mutual_evaluation(session).id
        session.commit()
    erin = Member(stack.emulator.url, "erin")  # 县民政局 evaluates only 县市场监督管理局
    assert "1/4" in erin.says(f"问卷 {survey_id}")[0]
    for text in ["1", "5", "98.5", "跳过"]:
        erin.says(text)
    assert "县市场监督管理局的评分为99.7分" in erin.says("确认")[0]
    frank = Member(stack.emulator.url, "frank")  # an institution of the market: evaluates 民政局
    frank.says(f"问卷 {survey_id}")
    for text in ["2", "4", "90", "跳过"]:
        frank.says(text)
    assert "县民政局的评分为70.5分" in frank.says("确认")[0]


def test_a_satisfaction_survey_asks_which_department_and_cards_answer(stack, alice: Member):
    stack.clock.frozen = NOW
    with Session(stack.engine) as session:
        survey_id = add_mutual_evaluation(session, kind=SurveyKind.SATISFACTION).id
        session.commit()
    first = alice.says(f"问卷 {survey_id}")[0]
    assert "1. 县市场监督管理局" in first and "2. 县民政局" in first
    assert "1–2" in alice.says("3")[0]
    assert "1/4" in alice.says("2")[0]
    stack.deliver()
    card = [m for m in alice.pushed_messages() if m["msgtype"] == "template_card"][-1]
    button = card["card"]["button_list"][0]
    assert button["text"] == "满意"
    reply = alice.sends_event("template_card_event", event_key=button["key"],
                              task_id=card["card"]["task_id"])  # fmt: skip
    assert "2/4" in reply[0]
    for text in ["3", "跳过", "跳过"]:
        alice.says(text)
    assert "县民政局" in alice.says("确认")[0]
    assert "1/4" in alice.says(f"问卷 {survey_id}")[0]  # the other department is still to do
