"""Parsing inbound callbacks into typed messages, building them, and rendering replies."""

from __future__ import annotations

import pytest

from bot.crypto import CallbackCrypto
from bot.messages import (
    ClickEvent,
    EnterAgentEvent,
    MessageParseError,
    SubscribeEvent,
    TemplateCardEvent,
    TextMessage,
    UnknownMessage,
    UnsubscribeEvent,
    build_event_callback,
    build_text_callback,
    cdata,
    parse_message,
    xml_root,
)
from bot.replies import (
    FileReply,
    ImageReply,
    MarkdownReply,
    TemplateCardReply,
    TextReply,
    UpdateButtonReply,
    can_reply_passively,
    render_passive,
    to_api_message,
    utf8_truncate,
)

CORP = "ww1436e0e65a779aee"
SET_A_PLAIN = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
)
CARD_EVENT = """<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[template_card_event]]></Event>
<EventKey><![CDATA[key111]]></EventKey>
<TaskId><![CDATA[taskid111]]></TaskId>
<CardType><![CDATA[text_notice]]></CardType>
<ResponseCode><![CDATA[ResponseCode]]></ResponseCode>
<AgentID>1</AgentID>
<SelectedItems>
    <SelectedItem>
        <QuestionKey><![CDATA[QuestionKey1]]></QuestionKey>
        <OptionIds><OptionId><![CDATA[OptionId1]]></OptionId><OptionId><![CDATA[OptionId2]]></OptionId></OptionIds>
    </SelectedItem>
    <SelectedItem>
        <QuestionKey><![CDATA[QuestionKey2]]></QuestionKey>
        <OptionIds><OptionId><![CDATA[OptionId3]]></OptionId><OptionId><![CDATA[OptionId4]]></OptionId></OptionIds>
    </SelectedItem>
</SelectedItems>
</xml>"""


def event_xml(event: str, key: str | None = None, create_time: int = 1700000000) -> str:
    key_xml = "" if key is None else f"<EventKey><![CDATA[{key}]]></EventKey>"
    return (
        f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[zhangsan]]>"
        f"</FromUserName><CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{key_xml}<AgentID>1000002</AgentID></xml>"
    )


def test_set_a_plaintext_without_cdata_is_a_text_message():
    message = parse_message(SET_A_PLAIN)
    assert isinstance(message, TextMessage)
    assert (message.user_id, message.corp_id, message.agent_id) == ("ChenJiaShun", CORP, 1000002)
    assert (message.content, message.msg_id, message.create_time) == (
        "你好",
        1456453720,
        1476422779,
    )
    assert message.dedupe_key == "msg:1456453720"


def test_cdata_text_message_and_bytes_input():
    xml = build_text_callback(CORP, "lisi", "填报 <b>&", 4561255354251345929, 218, 1409659813)
    message = parse_message(xml.encode("utf-8"))
    assert isinstance(message, TextMessage)
    assert message.content == "填报 <b>&"
    assert message.msg_id == 4561255354251345929


def test_text_containing_cdata_terminator_survives_build_and_parse():
    xml = build_text_callback(CORP, "lisi", "a]]>b]]>", 1, 1, 2)
    assert parse_message(xml).content == "a]]>b]]>"


@pytest.mark.parametrize(
    ("event", "cls"),
    [
        ("enter_agent", EnterAgentEvent),
        ("subscribe", SubscribeEvent),
        ("unsubscribe", UnsubscribeEvent),
        ("ENTER_AGENT", EnterAgentEvent),
        ("Subscribe", SubscribeEvent),
    ],
)
def test_simple_events(event, cls):
    message = parse_message(event_xml(event, ""))
    assert type(message) is cls
    assert message.user_id == "zhangsan"


def test_enter_agent_with_empty_event_key_cdata():
    message = parse_message(event_xml("enter_agent", ""))
    assert message.dedupe_key == "evt:1000002:zhangsan:1700000000:enter_agent:"


def test_click_event_case_insensitive():
    message = parse_message(event_xml("CLICK", "help"))
    assert isinstance(message, ClickEvent)
    assert message.event_key == "help"


def test_click_without_event_key_has_empty_key():
    message = parse_message(event_xml("click"))
    assert isinstance(message, ClickEvent)
    assert message.event_key == ""


def test_official_template_card_event_with_multiple_items():
    message = parse_message(CARD_EVENT)
    assert isinstance(message, TemplateCardEvent)
    assert (message.event_key, message.task_id) == ("key111", "taskid111")
    assert (message.card_type, message.response_code) == ("text_notice", "ResponseCode")
    assert message.selected == {
        "QuestionKey1": ("OptionId1", "OptionId2"),
        "QuestionKey2": ("OptionId3", "OptionId4"),
    }
    assert (
        message.dedupe_key
        == "evt:1:FromUser:123456789:template_card_event:key111:taskid111:ResponseCode"
    )


def test_template_card_event_with_single_item_and_single_option():
    extra = {"TaskId": "t1", "CardType": "vote_interaction", "ResponseCode": "rc1"}
    extra["SelectedItems"] = {"duty": ["opt_a"]}
    xml = build_event_callback(CORP, "wangwu", "template_card_event", 1000002, 5, "submit", extra)
    message = parse_message(xml)
    assert isinstance(message, TemplateCardEvent)
    assert message.selected == {"duty": ("opt_a",)}
    assert (message.event_key, message.task_id, message.card_type) == (
        "submit",
        "t1",
        "vote_interaction",
    )


def test_template_card_event_without_selection():
    extra = {"TaskId": "t1", "CardType": "button_interaction", "ResponseCode": "rc"}
    message = parse_message(
        build_event_callback(CORP, "u", "template_card_event", 1, 5, "ok", extra)
    )
    assert message.selected == {}


def test_template_card_event_with_empty_option_list():
    extra = {"TaskId": "t", "CardType": "vote_interaction", "ResponseCode": "r"}
    extra["SelectedItems"] = {"q1": [], "q2": ["a", "b"]}
    message = parse_message(
        build_event_callback(CORP, "u", "template_card_event", 1, 5, "k", extra)
    )
    assert message.selected == {"q1": (), "q2": ("a", "b")}


@pytest.mark.parametrize(
    ("xml", "msg_type", "event"),
    [
        (
            "<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>image</MsgType><PicUrl>http://x</PicUrl><MediaId>m</MediaId>"
            "<MsgId>77</MsgId><AgentID>1</AgentID></xml>",
            "image",
            "",
        ),
        (
            "<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
            "<MsgType>voice</MsgType><MediaId>m</MediaId><Format>amr</Format><MsgId>78</MsgId></xml>",
            "voice",
            "",
        ),
        (event_xml("LOCATION"), "event", "location"),
        (event_xml("change_contact"), "event", "change_contact"),
        (event_xml("template_card_menu_event", "k"), "event", "template_card_menu_event"),
        (event_xml("view", "https://example.invalid/"), "event", "view"),
    ],
)
def test_unknown_kinds_are_not_errors(xml, msg_type, event):
    message = parse_message(xml)
    assert isinstance(message, UnknownMessage)
    assert (message.msg_type, message.event) == (msg_type, event)


def test_unknown_message_with_msg_id_dedupes_on_it():
    xml = "<xml><FromUserName>u</FromUserName><MsgType>image</MsgType><MsgId>77</MsgId></xml>"
    message = parse_message(xml)
    assert message.dedupe_key == "msg:77"
    assert message.agent_id is None
    assert message.create_time == 0


def test_change_contact_dedupes_on_change_type():
    extra = {"ChangeType": "update_user"}
    first = parse_message(build_event_callback(CORP, "u", "change_contact", None, 9, extra=extra))
    extra = {"ChangeType": "delete_user"}
    second = parse_message(build_event_callback(CORP, "u", "change_contact", None, 9, extra=extra))
    assert first.dedupe_key != second.dedupe_key


def test_same_second_events_with_different_keys_do_not_collide():
    first = parse_message(event_xml("click", "help", create_time=42))
    second = parse_message(event_xml("click", "report", create_time=42))
    enter = parse_message(event_xml("enter_agent", "", create_time=42))
    assert len({first.dedupe_key, second.dedupe_key, enter.dedupe_key}) == 3


def test_retry_of_the_same_event_has_the_same_key():
    assert (
        parse_message(event_xml("click", "a")).dedupe_key
        == parse_message(event_xml("click", "a")).dedupe_key
    )


def test_card_events_differ_by_response_code():
    extra = {"TaskId": "t", "CardType": "button_interaction"}
    one = build_event_callback(
        CORP, "u", "template_card_event", 1, 5, "ok", {**extra, "ResponseCode": "a"}
    )
    two = build_event_callback(
        CORP, "u", "template_card_event", 1, 5, "ok", {**extra, "ResponseCode": "b"}
    )
    assert parse_message(one).dedupe_key != parse_message(two).dedupe_key


def test_messages_are_frozen_and_hashable():
    message = parse_message(CARD_EVENT)
    with pytest.raises(AttributeError):
        message.user_id = "x"
    assert hash(message) == hash(parse_message(CARD_EVENT))


def test_built_event_parses_back_into_the_same_shape():
    xml = build_event_callback(CORP, "zhaoliu", "subscribe", 1000002, 1700000001)
    assert "<EventKey>" not in xml
    message = parse_message(xml)
    assert isinstance(message, SubscribeEvent)
    assert (message.corp_id, message.agent_id, message.create_time) == (CORP, 1000002, 1700000001)


def test_built_callback_survives_the_wire():
    crypto = CallbackCrypto("tok", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt", CORP)
    plain = build_text_callback(CORP, "lisi", "本周走访群众 3 户", 99, 1000002, 1700000000)
    body, params = crypto.encrypt_callback(plain, 1000002)
    assert parse_message(crypto.decrypt(body, **params)).content == "本周走访群众 3 户"


@pytest.mark.parametrize(
    "xml",
    [
        "hello",
        "",
        "<xml><MsgType>text</MsgType></xml>",
        "<xml><FromUserName>u</FromUserName></xml>",
        "<xml>just text</xml>",
        '<!DOCTYPE x [<!ENTITY e "u">]><xml><FromUserName>&e;</FromUserName></xml>',
    ],
)
def test_not_a_message_raises_message_parse_error(xml):
    with pytest.raises(MessageParseError):
        parse_message(xml)
    assert issubclass(MessageParseError, ValueError)


def test_cdata_splits_terminator_and_drops_control_characters():
    assert cdata("a]]>b\x00c") == "<![CDATA[a]]]]><![CDATA[>bc]]>"
    assert xml_root(f"<xml><v>{cdata('x]]>y')}</v></xml>")["v"] == "x]]>y"


def test_render_passive_text_follows_the_documented_shape():
    xml = render_passive(
        TextReply("收到]]>"), to_user="lisi", corp_id=CORP, agent_id=1000002, create_time=7
    )
    assert xml.startswith("<xml><ToUserName><![CDATA[lisi]]></ToUserName>")
    reply = xml_root(xml)
    assert reply["FromUserName"] == CORP
    assert (reply["MsgType"], reply["Content"], reply["CreateTime"]) == ("text", "收到]]>", "7")
    assert reply["AgentID"] == "1000002"


def test_render_passive_update_button_without_agent():
    xml = render_passive(
        UpdateButtonReply("已处理"), to_user="u", corp_id=CORP, agent_id=None, create_time=1
    )
    reply = xml_root(xml)
    assert reply["MsgType"] == "update_button"
    assert reply["Button"] == {"ReplaceName": "已处理"}
    assert "AgentID" not in reply


def test_render_passive_cuts_overlong_text():
    xml = render_passive(
        TextReply("长" * 1000), to_user="u", corp_id=CORP, agent_id=1, create_time=1
    )
    content = xml_root(xml)["Content"]
    assert len(content.encode("utf-8")) <= 2048
    assert content.endswith("…")


@pytest.mark.parametrize(
    "reply",
    [
        MarkdownReply("**x**"),
        ImageReply(b"png"),
        FileReply(b"data", "a.xlsx"),
        TemplateCardReply({}),
    ],
)
def test_other_replies_go_through_the_outbox(reply):
    assert not can_reply_passively(reply)
    with pytest.raises(ValueError):
        render_passive(reply, to_user="u", corp_id=CORP, agent_id=1, create_time=1)


def test_passive_kinds():
    assert can_reply_passively(TextReply("x"))
    assert can_reply_passively(UpdateButtonReply("x"))


def test_to_api_message():
    card = {"card_type": "button_interaction", "task_id": "t1"}
    assert to_api_message(TextReply("你好")) == ("text", {"content": "你好"})
    assert to_api_message(MarkdownReply("**好**")) == ("markdown", {"content": "**好**"})
    assert to_api_message(TemplateCardReply(card)) == ("template_card", card)
    for reply in (ImageReply(b"x"), FileReply(b"x", "f.pdf"), UpdateButtonReply("x")):
        with pytest.raises(ValueError):
            to_api_message(reply)


def test_image_reply_defaults_and_short_repr():
    reply = ImageReply(b"\x89PNG" * 1000)
    assert reply.filename == "image.png"
    assert "PNG" not in repr(reply)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("hello", 5, "hello"),
        ("hello!", 5, "he…"),
        ("你好世界", 12, "你好世界"),
        ("你好世界", 11, "你好…"),
        ("你好世界", 9, "你好…"),
        ("你好世界", 8, "你…"),
        ("😀😀", 7, "😀…"),
        ("😀😀", 6, "…"),
        ("abc", 2, "ab"),
        ("", 0, ""),
    ],
)
def test_utf8_truncate(text, limit, expected):
    assert utf8_truncate(text, limit) == expected
    assert len(utf8_truncate(text, limit).encode("utf-8")) <= max(limit, 0)


def test_utf8_truncate_real_limits():
    text = "履职" * 2000
    assert len(utf8_truncate(text, 2048).encode("utf-8")) <= 2048
    assert len(utf8_truncate(text, 4096).encode("utf-8")) <= 4096
