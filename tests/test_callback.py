"""The callback endpoint over real HTTP with the emulator: signatures, limits, duplicates."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import event
from sqlalchemy.engine.default import NO_CACHE_KEY
from sqlmodel import Session, func, select

from backend.chat.inbox import SORRY
from backend.models import DutyEntry, ProcessedMessage
from bot.crypto import CallbackCrypto
from bot.messages import build_text_callback
from tests.support.chat import Member
from tests.support.stack import TEST_WECOM


def _crypto() -> CallbackCrypto:
    return CallbackCrypto(
        TEST_WECOM["WECOM_TOKEN"], TEST_WECOM["WECOM_AES_KEY"], TEST_WECOM["WECOM_CORP_ID"]
    )


def _text_callback(content: str, msg_id: int = 4242) -> tuple[str, dict]:
    plain = build_text_callback(
        TEST_WECOM["WECOM_CORP_ID"], "alice", content, msg_id, 1000002, 1_700_000_000
    )
    return _crypto().encrypt_callback(plain, 1000002)


def _processed_count(stack) -> int:
    with Session(stack.engine) as session:
        return session.exec(select(func.count()).select_from(ProcessedMessage)).one()


def test_help_gets_an_answer(alice: Member):
    replies = alice.says("帮助")
    assert len(replies) == 1
    assert "履职助手" in alice.last_reply()


def test_other_text_gets_a_short_hint(alice: Member):
    alice.says("今天天气不错")
    assert "帮助" in alice.last_reply()
    assert len(alice.last_reply()) < 80


def test_outsider_is_refused_politely_and_nothing_else_happens(stack):
    stranger = Member(stack.emulator.url, "stranger")
    stranger.says("帮助")
    assert "不在本单位" in stranger.last_reply()


def test_url_verification_round_trip(stack):
    result = stack.emulator_call("POST", "/_emulator/verify-url").json()
    assert result["ok"] is True


def test_url_verification_rejects_a_bad_signature(stack):
    body, params = _crypto().encrypt_echostr("1288432023552776189")
    params = {**params, "msg_signature": "0" * 40, "echostr": body}
    response = requests.get(stack.web_url + "/wecom/callback", params=params, timeout=10)
    assert response.status_code == 403


def test_tampered_signature_is_refused_and_nothing_stored(stack):
    body, params = _text_callback("帮助")
    params["msg_signature"] = params["msg_signature"][::-1]
    response = requests.post(
        stack.web_url + "/wecom/callback", params=params, data=body, timeout=10
    )
    assert response.status_code == 403
    assert _processed_count(stack) == 0


def test_wrong_corp_id_is_refused(stack):
    other = CallbackCrypto(TEST_WECOM["WECOM_TOKEN"], TEST_WECOM["WECOM_AES_KEY"], "wrongcorp")
    plain = build_text_callback("wrongcorp", "alice", "帮助", 7, 1000002, 1_700_000_000)
    body, params = other.encrypt_callback(plain, 1000002)
    response = requests.post(
        stack.web_url + "/wecom/callback", params=params, data=body, timeout=10
    )
    assert response.status_code == 403
    assert _processed_count(stack) == 0


def test_oversize_body_gets_413(stack):
    body, params = _text_callback("帮助")
    padded = body.replace("<xml>", "<xml>" + " " * (70 * 1024), 1)
    response = requests.post(
        stack.web_url + "/wecom/callback", params=params, data=padded, timeout=10
    )
    assert response.status_code == 413


def test_malformed_bodies_get_400(stack):
    _, params = _text_callback("帮助")
    for body in ["not xml at all", "<xml><Encrypt>", "<xml><Nothing/></xml>", ""]:
        response = requests.post(
            stack.web_url + "/wecom/callback", params=params, data=body.encode(), timeout=10
        )
        assert response.status_code in (400, 403), body
        assert response.headers["Content-Type"].startswith("application/json")


def test_missing_query_parameters_get_400(stack):
    response = requests.post(stack.web_url + "/wecom/callback", data=b"<xml/>", timeout=10)
    assert response.status_code == 400


def test_entity_expansion_is_refused(stack):
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>'
    _, params = _text_callback("帮助")
    response = requests.post(
        stack.web_url + "/wecom/callback", params=params, data=bomb.encode(), timeout=10
    )
    assert response.status_code in (400, 403)


def test_duplicate_callback_is_processed_once_with_the_same_answer(stack):
    body, params = _text_callback("帮助", msg_id=99001)
    first = requests.post(stack.web_url + "/wecom/callback", params=params, data=body, timeout=10)
    body2, params2 = _text_callback("帮助", msg_id=99001)  # re-encrypted retry, same MsgId
    second = requests.post(
        stack.web_url + "/wecom/callback", params=params2, data=body2, timeout=10
    )
    crypto = _crypto()
    assert crypto.decrypt_reply(first.text) == crypto.decrypt_reply(second.text)
    assert _processed_count(stack) == 1


def test_emulator_duplicate_delivery_counts_once(stack, alice: Member):
    stack.emulator_call("PUT", "/_emulator/faults", json={"duplicate_callbacks": 3})
    result = requests.post(
        stack.emulator.url + "/_emulator/say", json={"userid": "alice", "text": "帮助"}, timeout=30
    ).json()
    assert result["delivered"] == 3
    assert _processed_count(stack) == 1
    texts = {r.get("content") for r in result["replies"]}
    assert len(texts) == 1


def test_unknown_message_kinds_are_answered_not_errors(stack, alice: Member):
    replies = alice.sends_event("location", event_key="")
    assert replies and "文字" in replies[0]
    assert alice.sends_event("enter_agent") == []


def test_a_replayed_old_callback_is_refused_and_nothing_stored(stack):
    plain = build_text_callback(
        TEST_WECOM["WECOM_CORP_ID"], "alice", "帮助", 4343, 1000002, 1_700_000_000
    )
    for age in (3600, -3600, 10**9):  # an hour old, an hour ahead, long ago
        body, params = _crypto().encrypt_callback(plain, 1000002, timestamp=int(time.time()) - age)
        response = requests.post(
            stack.web_url + "/wecom/callback", params=params, data=body, timeout=10
        )
        assert response.status_code == 403
        assert "时间戳" in response.json()["message"]
    assert _processed_count(stack) == 0
    body, params = _crypto().encrypt_callback(plain, 1000002, timestamp=int(time.time()) - 60)
    response = requests.post(
        stack.web_url + "/wecom/callback", params=params, data=body, timeout=10
    )
    assert response.status_code == 200  # a minute late (a retry, a slow network) is fine
    assert _processed_count(stack) == 1


def test_one_members_messages_at_once_are_each_answered_in_turn(stack, alice: Member):
    texts = ["填报", "好", "1", "好", "2小时", "跳过", "今天", "帮助", "填报"]  # no form yet
    bodies = [_text_callback(text, msg_id=77_000 + index) for index, text in enumerate(texts)]
    url = stack.web_url + "/wecom/callback"
    before = _processed_count(stack)

    def post(body_and_params):
        body, params = body_and_params
        return requests.post(url, params=params, data=body, timeout=30)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        answers = list(pool.map(post, bodies))
    assert [answer.status_code for answer in answers] == [200] * len(bodies)
    replies = [_crypto().decrypt_reply(answer.text) for answer in answers if answer.text]
    sorry = [reply for reply in replies if SORRY in reply]
    if stack.engine.dialect.name == "postgresql":
        assert sorry == []  # the member's row lock queues them: none is refused
    # A refused message is not recorded (its resend is answered); every other one is, once.
    assert _processed_count(stack) == before + len(bodies) - len(sorry)


def test_every_statement_of_a_whole_form_is_compiled_once(stack, alice: Member):
    steps = ["填报", "好", "1", "好", "2小时", "跳过", "检查辖区内食品经营户12家", "确认"]
    for text in steps:  # the first walk fills SQLAlchemy's statement cache
        alice.says(text)
    uncached: list[str] = []
    seen: list[str] = []

    def note(connection, cursor, statement, parameters, context, executemany):
        seen.append(statement)
        if context.compiled is not None and context.cache_hit is NO_CACHE_KEY:
            uncached.append(statement.split("\n")[0])

    event.listen(stack.engine, "after_cursor_execute", note)
    try:
        for text in ["帮助", *steps]:
            alice.says(text)
    finally:
        event.remove(stack.engine, "after_cursor_execute", note)
    assert len(seen) > 4 * len(steps)  # the listener saw the callbacks' statements
    assert uncached == []  # a statement without a cache key is compiled again every callback


def test_a_confirm_delivered_twice_at_once_saves_one_entry_and_answers_both_alike(
    stack, alice: Member
):
    for text in ["填报", "好", "1", "好", "2小时", "跳过", "检查辖区内食品经营户12家"]:
        alice.says(text)
    url = stack.web_url + "/wecom/callback"
    deliveries = [_text_callback("确认", msg_id=88_001) for _ in range(4)]  # WeCom's retries

    def post(body_and_params):
        body, params = body_and_params
        return requests.post(url, params=params, data=body, timeout=30)

    with ThreadPoolExecutor(max_workers=len(deliveries)) as pool:
        answers = list(pool.map(post, deliveries))
    replies = {_crypto().decrypt_reply(answer.text) for answer in answers}
    assert len(replies) == 1 and "已保存" in replies.pop()
    with Session(stack.engine) as session:
        saved = session.exec(select(DutyEntry).where(DutyEntry.client_key == "msg:88001")).all()
        assert len(saved) == 1
