"""WeCom API: gettoken, app messages, template card updates and app group chats."""

from __future__ import annotations

import copy
import json
import re
import secrets

from flask import Blueprint, request

from bot.emulator.calls import check_agent, check_token, current_state, json_body
from bot.emulator.errors import ApiError, ok
from bot.emulator.payloads import app_payload, needs_response_code
from bot.emulator.state import EmulatorState

messages = Blueprint("wecom_messages", __name__, url_prefix="/cgi-bin")

MAX_USERS, MAX_PARTIES, MAX_TAGS = 1000, 100, 100
CHATID = re.compile(r"^[0-9A-Za-z]{1,32}$")
MAX_CHAT_MEMBERS = 2000
DEFAULT_DUPLICATE_INTERVAL, MAX_DUPLICATE_INTERVAL = 1800, 4 * 3600


@messages.get("/gettoken")
def gettoken():
    """Issue the app's access token (the same one while it is valid)."""
    config = current_state().config
    if request.args.get("corpid") != config.corp_id:
        raise ApiError(40013)
    if request.args.get("corpsecret") != config.secret:
        raise ApiError(40001, "invalid corpsecret")
    token = current_state().issue_token()
    return ok(access_token=token, expires_in=config.token_ttl)


@messages.post("/message/send")
def message_send():
    """Send an app message to members, departments and tags."""
    check_token()
    body, state = json_body(), current_state()
    check_agent(body)
    payload = app_payload(state, body, cards=True)
    users, invalid = _recipients(state, body)
    msgid = secrets.token_urlsafe(24)
    users = _not_duplicates(state, body, users)
    records = [_deliver(state, userid, payload, msgid) for userid in users]
    answer = ok(**invalid, msgid=msgid)
    if payload.get("card") and needs_response_code(payload["card"]):
        answer["response_code"] = state.issue_response_code([r["id"] for r in records])
    return answer


def _duplicate_interval(body: dict) -> int | None:
    """Return the duplicate-check interval the request asks for (None: no check)."""
    if str(body.get("enable_duplicate_check", 0)) != "1":
        return None
    raw = body.get("duplicate_check_interval", DEFAULT_DUPLICATE_INTERVAL)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= MAX_DUPLICATE_INTERVAL:
        raise ApiError(40058, "duplicate_check_interval must be 1 to 14400 seconds")
    return raw


def _not_duplicates(state: EmulatorState, body: dict, users: list[str]) -> list[str]:
    """Drop the members who got this very content within the duplicate-check interval."""
    interval = _duplicate_interval(body)
    if interval is None:
        return users
    msgtype = str(body.get("msgtype"))
    content = json.dumps([msgtype, body.get(msgtype)], sort_keys=True, ensure_ascii=False)
    now = state.now()
    return [u for u in users if state.first_within(f"{u}\n{content}", interval, now)]


def _split(body: dict, name: str, limit: int, errcode: int) -> list[str]:
    raw = body.get(name) or ""
    items = raw if isinstance(raw, list) else str(raw).split("|")
    items = list(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
    if len(items) > limit:
        raise ApiError(errcode, f"{name} has more than {limit} entries")
    return items


def _recipients(state: EmulatorState, body: dict) -> tuple[list[str], dict]:
    """Resolve touser, toparty and totag into member ids and the invalid* fields."""
    users = _split(body, "touser", MAX_USERS, 40058)
    parties = _split(body, "toparty", MAX_PARTIES, 82002)
    tags = _split(body, "totag", MAX_TAGS, 82003)
    if not (users or parties or tags):
        raise ApiError(40058, "touser, toparty and totag are all empty")
    with state.lock:
        directory = state.directory
        if users == ["@all"]:
            return list(directory.users), _invalid([], [], [])
        good_users = [u for u in users if u in directory.users]
        good_parties = [p for p in parties if p.isdigit() and int(p) in directory.departments]
        subtrees = [d for p in good_parties for d in directory.subtree(int(p))]
        party_members = [u["userid"] for u in directory.members_of(subtrees)]
    if not (good_users or good_parties):
        raise ApiError(81013)
    bad_users = [u for u in users if u not in good_users]
    bad_parties = [p for p in parties if p not in good_parties]
    return list(dict.fromkeys(good_users + party_members)), _invalid(bad_users, bad_parties, tags)


def _invalid(users: list[str], parties: list[str], tags: list[str]) -> dict:
    return {
        "invaliduser": "|".join(users),
        "invalidparty": "|".join(parties),
        "invalidtag": "|".join(tags),
    }


def _deliver(state: EmulatorState, userid: str, payload: dict, msgid: str) -> dict:
    """Record the message for one member, dropped when over a per-member limit.

    Like WeCom (90236: "超过部分会被丢弃不下发"), the call still answers errcode 0 and does not
    list the member in invaliduser; the record says which limit dropped it, so a test can tell.
    """
    with state.lock:
        now = state.now()
        reason = _over_limit(state, userid, now)
        if reason is None:
            state.member_window.add(userid, now)
            state.member_hour_window.add(userid, now)
        return state.record(
            direction="bot",
            channel="app",
            userid=userid,
            msgid=msgid,
            **copy.deepcopy(payload),
            dropped=reason is not None,
            dropped_reason=reason,
        )


def _over_limit(state: EmulatorState, userid: str, now: float) -> str | None:
    """Return which per-member limit a message to `userid` now would exceed, if any."""
    if state.member_window.count(userid, now) >= state.config.member_limit_per_minute:
        return "minute"
    if state.member_hour_window.count(userid, now) >= state.config.member_limit_per_hour:
        return "hour"
    return None


@messages.post("/message/update_template_card")
def update_template_card():
    """Replace a card's buttons (or the whole card) using a single-use response_code."""
    check_token()
    body, state = json_body(), current_state()
    check_agent(body)
    changes = _card_changes(body)
    message_ids = state.use_response_code(str(body.get("response_code") or ""))
    if message_ids is None:
        raise ApiError(40058, "invalid, used or expired response_code")
    for message_id in _for_chosen_users(state, message_ids, body):
        state.update_message(message_id, **copy.deepcopy(changes))
    return ok(invaliduser="", invalidparty="", invalidtag="")


def _card_changes(body: dict) -> dict:
    button = body.get("button")
    if isinstance(button, dict) and button.get("replace_name"):
        return {"replace_name": str(button["replace_name"])}
    if isinstance(body.get("template_card"), dict):
        return {"card": body["template_card"], "replace_name": None}
    raise ApiError(40058, "need button.replace_name or template_card")


def _for_chosen_users(state: EmulatorState, message_ids: list[int], body: dict) -> list[int]:
    userids = set(body.get("userids") or [])
    parties = [int(p) for p in body.get("partyids") or [] if str(p).isdigit()]
    if body.get("atall") or not (userids or parties):
        return message_ids
    with state.lock:
        userids |= {u["userid"] for u in state.directory.members_of(parties)}
        chosen = {m["id"] for m in state.messages if m.get("userid") in userids}
    return [i for i in message_ids if i in chosen]


@messages.post("/appchat/create")
def appchat_create():
    """Create an app group chat."""
    check_token()
    body, state = json_body(), current_state()
    chat = _new_chat(state, body)
    with state.lock:
        if chat["chatid"] in state.directory.appchats:
            raise ApiError(86215)
        state.directory.appchats[chat["chatid"]] = chat
        state.revision += 1
    return ok(chatid=chat["chatid"])


def _new_chat(state: EmulatorState, body: dict) -> dict:
    chatid = str(body.get("chatid") or secrets.token_hex(16))
    if not CHATID.match(chatid):
        raise ApiError(86001)
    members = [str(u) for u in body.get("userlist") or []]
    _check_members(state, members)
    owner = str(body.get("owner") or secrets.choice(members))
    _check_name_and_owner(state, body.get("name", ""), owner)
    return {"chatid": chatid, "name": body.get("name") or "", "owner": owner, "userlist": members}


def _check_members(state: EmulatorState, members: list[str]) -> None:
    if not 2 <= len(set(members)) <= MAX_CHAT_MEMBERS:
        raise ApiError(86006)
    if any(u not in state.directory.users for u in members):
        raise ApiError(86007)


def _check_name_and_owner(state: EmulatorState, name: object, owner: str) -> None:
    if not isinstance(name, str) or len(name) > 50:
        raise ApiError(86004)
    if owner not in state.directory.users:
        raise ApiError(86005)


def _chat(state: EmulatorState, chatid: object) -> dict:
    chat = state.directory.appchats.get(str(chatid or ""))
    if chat is None:
        raise ApiError(86003)
    return chat


@messages.post("/appchat/update")
def appchat_update():
    """Rename a chat, change its owner, add or remove members."""
    check_token()
    body, state = json_body(), current_state()
    with state.lock:
        chat = _chat(state, body.get("chatid"))
        members = [u for u in chat["userlist"] if u not in (body.get("del_user_list") or [])]
        members += [str(u) for u in body.get("add_user_list") or [] if u not in members]
        _check_members(state, members)
        name, owner = body.get("name", chat["name"]), str(body.get("owner") or chat["owner"])
        _check_name_and_owner(state, name, owner)
        chat.update(name=name, owner=owner, userlist=members)
        state.revision += 1
    return ok()


@messages.get("/appchat/get")
def appchat_get():
    """Describe an app group chat."""
    check_token()
    state = current_state()
    with state.lock:
        chat = copy.deepcopy(_chat(state, request.args.get("chatid")))
    return ok(chat_info=chat)


@messages.post("/appchat/send")
def appchat_send():
    """Post an app message into a group chat the app created."""
    check_token()
    body, state = json_body(), current_state()
    with state.lock:
        chatid = _chat(state, body.get("chatid"))["chatid"]
    payload = app_payload(state, body, cards=False)
    state.record(direction="bot", channel="appchat", chatid=chatid, **payload)
    return ok()
