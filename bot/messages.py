"""Typed inbound WeCom messages and events, parsed from decrypted callback XML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, overload
from xml.parsers.expat import ExpatError

import xmltodict

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NO_EVENT_KEY = {"subscribe", "unsubscribe"}
_CARD_SCALARS = ("TaskId", "CardType", "ResponseCode")


class MessageParseError(ValueError):
    """The plaintext is not a WeCom message (not XML or required fields missing)."""


def cdata(text: object) -> str:
    """Wrap text in CDATA, splitting any `]]>` and dropping characters XML cannot hold."""
    safe = _XML_INVALID.sub("", str(text))
    return "<![CDATA[" + safe.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def xml_root(document: str | bytes) -> dict[str, Any]:
    """Parse `<xml>…</xml>` into a dict, refusing DTDs, entities and other roots."""
    if isinstance(document, bytes):
        document = document.decode("utf-8")
    if "<!DOCTYPE" in document.upper():
        raise ValueError("DTD not allowed")
    parsed = xmltodict.parse(document, disable_entities=True)
    root = parsed.get("xml") if isinstance(parsed, dict) else None
    if not isinstance(root, dict):
        raise ValueError("root element <xml> with children expected")
    return root


def text_of(data: dict[str, Any], key: str) -> str:
    """Return an element's text as xmltodict gives it ("" when absent or empty)."""
    return _as_text(data.get(key))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return _as_text(value[0]) if value else ""
    if isinstance(value, dict):
        return _as_text(value.get("#text"))
    return str(value).strip()


def as_list(value: Any) -> list[Any]:
    """Normalise xmltodict's one-child (dict/str) or absent (None) shapes into a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@overload
def _int_or(text: str, default: int) -> int: ...
@overload
def _int_or(text: str, default: None) -> int | None: ...
def _int_or(text: str, default: int | None) -> int | None:
    try:
        return int(text)
    except ValueError:
        return default


@dataclass(frozen=True)
class Inbound:
    """One decrypted callback from a member: a message or an event."""

    user_id: str
    corp_id: str
    agent_id: int | None
    create_time: int
    raw: dict = field(repr=False, compare=False, hash=False)

    EVENT: ClassVar[str] = ""

    @property
    def dedupe_key(self) -> str:
        """Return a key that is equal for WeCom's retries and different for distinct callbacks."""
        msg_id = self._msg_id()
        if msg_id:
            return f"msg:{msg_id}"
        agent = "" if self.agent_id is None else str(self.agent_id)
        parts = (agent, self.user_id, str(self.create_time), self._event_name(), *self._key_parts())
        return "evt:" + ":".join(parts)

    def _msg_id(self) -> str:
        return text_of(self.raw, "MsgId")

    @property
    def in_group(self) -> bool:
        """Tell whether the member wrote in a group chat (the intelligent bot, @-mentioned)."""
        return text_of(self.raw, "ChatType") == "group"

    def _event_name(self) -> str:
        return self.EVENT or text_of(self.raw, "Event").lower()

    def _key_parts(self) -> tuple[str, ...]:
        return (text_of(self.raw, "EventKey") or text_of(self.raw, "ChangeType"),)


@dataclass(frozen=True)
class TextMessage(Inbound):
    """A text message typed by the member."""

    content: str
    msg_id: int

    def _msg_id(self) -> str:
        return str(self.msg_id) if self.msg_id else super()._msg_id()


@dataclass(frozen=True)
class EnterAgentEvent(Inbound):
    """The member opened the app."""

    EVENT: ClassVar[str] = "enter_agent"


@dataclass(frozen=True)
class SubscribeEvent(Inbound):
    """The member entered the app's visible range."""

    EVENT: ClassVar[str] = "subscribe"


@dataclass(frozen=True)
class UnsubscribeEvent(Inbound):
    """The member left the app's visible range."""

    EVENT: ClassVar[str] = "unsubscribe"


@dataclass(frozen=True)
class ClickEvent(Inbound):
    """The member clicked a custom menu item of type click."""

    event_key: str
    EVENT: ClassVar[str] = "click"

    def _key_parts(self) -> tuple[str, ...]:
        return (self.event_key,)


@dataclass(frozen=True)
class TemplateCardEvent(Inbound):
    """The member pressed a button or submitted a choice on a template card."""

    event_key: str
    task_id: str
    card_type: str
    response_code: str
    selected: dict[str, tuple[str, ...]] = field(compare=True, hash=False)
    EVENT: ClassVar[str] = "template_card_event"

    def _key_parts(self) -> tuple[str, ...]:
        return (self.event_key, self.task_id, self.response_code)


@dataclass(frozen=True)
class ApprovalChangeEvent(Inbound):
    """An approval (审批) changed state: sent by "sys"; the detail API says what it holds."""

    sp_no: str
    sp_status: int
    EVENT: ClassVar[str] = "sys_approval_change"

    def _key_parts(self) -> tuple[str, ...]:
        return (self.sp_no, str(self.sp_status), text_of(self.raw, "StatuChangeEvent"))


@dataclass(frozen=True)
class UnknownMessage(Inbound):
    """Any message or event the bot does not model (image, voice, location, change_contact …)."""

    msg_type: str
    event: str

    def _event_name(self) -> str:
        return self.event or self.msg_type


def parse_message(plaintext_xml: str | bytes) -> Inbound:
    """Turn decrypted callback XML into a typed message; unknown kinds become UnknownMessage."""
    try:
        data = xml_root(plaintext_xml)
    except (ExpatError, ValueError, TypeError) as exc:
        raise MessageParseError(f"not a WeCom message: {exc}") from exc
    user_id, msg_type = text_of(data, "FromUserName"), text_of(data, "MsgType").lower()
    if not user_id or not msg_type:
        raise MessageParseError("FromUserName or MsgType missing")
    common: dict[str, Any] = {
        "user_id": user_id,
        "corp_id": text_of(data, "ToUserName"),
        "agent_id": _int_or(text_of(data, "AgentID"), None),
        "create_time": _int_or(text_of(data, "CreateTime"), 0),
        "raw": data,
    }
    if msg_type == "text":
        msg_id = _int_or(text_of(data, "MsgId"), 0)
        return TextMessage(**common, content=text_of(data, "Content"), msg_id=msg_id)
    if msg_type == "event":
        return _parse_event(data, common)
    return UnknownMessage(**common, msg_type=msg_type, event="")


def _parse_event(data: dict[str, Any], common: dict[str, Any]) -> Inbound:
    event = text_of(data, "Event").lower()
    simple = {cls.EVENT: cls for cls in (EnterAgentEvent, SubscribeEvent, UnsubscribeEvent)}
    if event in simple:
        return simple[event](**common)
    if event == "click":
        return ClickEvent(**common, event_key=text_of(data, "EventKey"))
    if event == ApprovalChangeEvent.EVENT:
        return _approval_event(data, common)
    if event == "template_card_event":
        return TemplateCardEvent(
            **common,
            event_key=text_of(data, "EventKey"),
            task_id=text_of(data, "TaskId"),
            card_type=text_of(data, "CardType"),
            response_code=text_of(data, "ResponseCode"),
            selected=_selected_items(data.get("SelectedItems")),
        )
    return UnknownMessage(**common, msg_type="event", event=event)


def _approval_event(data: dict[str, Any], common: dict[str, Any]) -> Inbound:
    info = data.get("ApprovalInfo")
    info = info if isinstance(info, dict) else {}
    sp_no = text_of(info, "SpNo")
    if not sp_no:
        return UnknownMessage(**common, msg_type="event", event=ApprovalChangeEvent.EVENT)
    status = _int_or(text_of(info, "SpStatus"), 0)
    return ApprovalChangeEvent(**common, sp_no=sp_no, sp_status=status)


def _selected_items(value: Any) -> dict[str, tuple[str, ...]]:
    items = as_list(value.get("SelectedItem")) if isinstance(value, dict) else []
    selected: dict[str, tuple[str, ...]] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        options = item.get("OptionIds")
        ids = as_list(options.get("OptionId")) if isinstance(options, dict) else []
        selected[text_of(item, "QuestionKey")] = tuple(_as_text(i) for i in ids)
    return selected


def _element(name: str, value: object, *, wrap: bool = True) -> str:
    return f"<{name}>{cdata(value) if wrap else value}</{name}>"


def _envelope(corp_id: str, user_id: str, create_time: int, msg_type: str) -> list[str]:
    return [
        _element("ToUserName", corp_id),
        _element("FromUserName", user_id),
        _element("CreateTime", int(create_time), wrap=False),
        _element("MsgType", msg_type),
    ]


def _agent(agent_id: int | None) -> list[str]:
    return [] if agent_id is None else [_element("AgentID", int(agent_id), wrap=False)]


def build_text_callback(
    corp_id: str, user_id: str, content: str, msg_id: int, agent_id: int | None, create_time: int
) -> str:
    """Build the plaintext XML WeCom sends for a member's text message."""
    parts = _envelope(corp_id, user_id, create_time, "text")
    parts += [_element("Content", content), _element("MsgId", int(msg_id), wrap=False)]
    return "<xml>" + "".join(parts + _agent(agent_id)) + "</xml>"


def build_event_callback(
    corp_id: str,
    user_id: str,
    event: str,
    agent_id: int | None,
    create_time: int,
    event_key: str = "",
    extra: dict | None = None,
) -> str:
    """Build the plaintext XML WeCom sends for an event (extra: TaskId, SelectedItems …)."""
    extra = dict(extra or {})
    selected = extra.pop("SelectedItems", None)
    parts = [*_envelope(corp_id, user_id, create_time, "event"), _element("Event", event)]
    if event_key or event.lower() not in _NO_EVENT_KEY:
        parts.append(_element("EventKey", event_key))
    parts += [_element(name, value) for name, value in extra.items()]
    parts += _agent(agent_id)
    if selected is not None:
        parts.append(_selected_xml(selected))
    return "<xml>" + "".join(parts) + "</xml>"


def _selected_xml(selected: dict[str, list[str] | tuple[str, ...]]) -> str:
    items = []
    for question, option_ids in selected.items():
        options = "".join(_element("OptionId", option) for option in option_ids)
        items.append(f"<SelectedItem>{_element('QuestionKey', question)}")
        items.append(f"<OptionIds>{options}</OptionIds></SelectedItem>")
    return "<SelectedItems>" + "".join(items) + "</SelectedItems>"
