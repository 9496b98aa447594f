"""What a member does in the WeCom client: write, open the app, press a card button."""

from __future__ import annotations

import time

from bot.emulator.callbacks import deliver
from bot.emulator.longconn import BotSocket
from bot.emulator.state import EmulatorState
from bot.emulator.wire import event_message, new_msg_id, selected_items, text_message

BOT_NAME = "履职助手"  # how members @-mention the bot in a group
CARD_EVENTS = ("template_card_event", "template_card_menu_event")
NO_KEY_EVENTS = ("subscribe", "unsubscribe")


class MemberActionError(ValueError):
    """The control API was asked for an action that makes no sense."""


def say(state: EmulatorState, body: dict, socket: BotSocket | None = None) -> dict:
    """Record a member's text message and deliver it to the bot as WeCom would.

    With the long connection on (`socket.channel`), the message goes as an
    `aibot_msg_callback` frame and the bot's first reply frame is the answer.
    """
    userid, text = _text(body, "userid"), _text(body, "text")
    chatid = body.get("chatid") or ""
    if chatid and (socket is None or socket.channel != "longconn"):
        raise MemberActionError("only the intelligent bot (long connection) is heard in groups")
    if socket is not None and socket.channel == "longconn":
        where = {"chatid": str(chatid), "sender": userid} if chatid else {"userid": userid}
        state.record(direction="user", channel="bot", msgtype="text", content=text, **where)
        mention = f"@{BOT_NAME} {text}" if chatid else text
        frame_body = socket.message_body(userid, mention, str(chatid))
        copies = max(1, int(state.fault("duplicate_callbacks")))  # WeCom redelivering it
        wait = state.config.bot_reply_wait
        results = [
            socket.deliver("aibot_msg_callback", frame_body, wait=wait) for _ in range(copies)
        ]
        return {
            "delivered": sum(r["delivered"] for r in results),
            "attempts": copies,
            "replies": [reply for r in results for reply in r["replies"]],
            "errors": [error for r in results for error in r["errors"]],
        }
    msg_id = new_msg_id()
    state.record(
        direction="user",
        channel="app",
        userid=userid,
        msgtype="text",
        content=text,
        msgid=str(msg_id),
    )
    plaintext = text_message(state.config, userid, text, msg_id)
    return deliver(state, plaintext, userid).to_json()


def send_event(state: EmulatorState, body: dict, socket: BotSocket | None = None) -> dict:
    """Record a member's event (enter_agent, click, card button...) and deliver it.

    A button of a card the intelligent bot pushed goes back over its long connection.
    """
    userid, event = _text(body, "userid"), _text(body, "event")
    card = _card_for(state, userid, body) if event in CARD_EVENTS else None
    if card is not None and card.get("channel") == "bot" and socket is not None:
        return _card_over_bot(state, socket, userid, body, card)
    fields = _event_fields(state, body, event, card)
    selected = body.get("selected") or {}
    state.record(
        direction="user",
        channel="app",
        userid=userid,
        msgtype="event",
        event=event,
        event_key=body.get("event_key"),
        selected=selected,
        card_message_id=card["id"] if card else None,
    )
    plaintext = event_message(state.config, userid, event, fields)
    return deliver(state, plaintext, userid, card["id"] if card else None).to_json()


def _card_over_bot(
    state: EmulatorState, socket: BotSocket, userid: str, body: dict, card: dict
) -> dict:
    """Deliver a button of a bot-pushed card as an `aibot_event_callback` frame."""
    template = card.get("card") or {}
    clicked = {
        "card_type": str(body.get("card_type") or template.get("card_type") or ""),
        "event_key": str(body.get("event_key") or ""),
        "task_id": str(body.get("task_id") or template.get("task_id") or ""),
    }
    state.record(
        direction="user",
        channel="bot",
        userid=userid,
        msgtype="event",
        event="template_card_event",
        event_key=clicked["event_key"],
        card_message_id=card["id"],
    )
    frame_body = {
        "msgid": f"event{new_msg_id()}",
        "create_time": int(time.time()),
        "aibotid": socket.bot_id,
        "chattype": "single",
        "from": {"userid": userid},
        "msgtype": "event",
        "event": {"eventtype": "template_card_event", "template_card_event": clicked},
    }
    result = socket.deliver("aibot_event_callback", frame_body, wait=state.config.bot_reply_wait)
    return {key: result[key] for key in ("delivered", "replies", "errors")}


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise MemberActionError(f"{name} must be a non-empty string")
    return value


def _event_fields(state: EmulatorState, body: dict, event: str, card: dict | None) -> list:
    fields = []
    if body.get("event_key") is not None or event not in NO_KEY_EVENTS:
        fields.append(("EventKey", str(body.get("event_key") or "")))
    if event in CARD_EVENTS:
        fields += _card_fields(state, body, card)
    selected = body.get("selected")
    if selected:
        if not isinstance(selected, dict):
            raise MemberActionError("selected must map question keys to option id lists")
        fields.append(("SelectedItems", selected_items(_option_lists(selected))))
    return fields


def _option_lists(selected: dict) -> dict[str, list[str]]:
    return {
        str(q): [str(o) for o in (ids if isinstance(ids, list) else [ids])]
        for q, ids in selected.items()
    }


def _card_fields(state: EmulatorState, body: dict, card: dict | None) -> list:
    template = (card or {}).get("card") or {}
    code = body.get("response_code")
    if not code:
        code = state.issue_response_code([card["id"]] if card else [])
    return [
        ("TaskId", str(body.get("task_id") or template.get("task_id") or "")),
        ("CardType", str(body.get("card_type") or template.get("card_type") or "")),
        ("ResponseCode", str(code)),
    ]


def _card_for(state: EmulatorState, userid: str, body: dict) -> dict | None:
    """Find the card message the member acted on: by message id, else the latest by task id."""
    message_id, task_id = body.get("message_id"), body.get("task_id")
    with state.lock:
        cards = [
            m
            for m in state.messages
            if m.get("userid") == userid and m.get("msgtype") == "template_card"
        ]
    if message_id is not None:
        return next((m for m in cards if m["id"] == message_id), None)
    matching = [m for m in cards if task_id and (m.get("card") or {}).get("task_id") == task_id]
    return matching[-1] if matching else None
