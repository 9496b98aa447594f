"""Play the WeCom server towards the bot: encrypted callbacks, retries and URL verification."""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field

import requests

from bot.emulator.state import EmulatorState
from bot.emulator.wire import (
    ReplyError,
    encrypt,
    fresh_nonce,
    open_reply,
    parse_xml,
    seal,
    sign,
)

HEADERS = {"Content-Type": "text/xml; charset=utf-8", "User-Agent": "Mozilla/4.0 (wecom-emulator)"}
ACKS = ("", "success")


@dataclass
class Delivery:
    """What happened to one callback: deliveries, attempts, passive replies and errors."""

    delivered: int = 0
    attempts: int = 0
    replies: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """Describe the outcome for the control API."""
        return asdict(self)


def deliver(
    state: EmulatorState, plaintext: str, userid: str, card_id: int | None = None
) -> Delivery:
    """Send a plaintext callback to the bot as often as the duplicate switch says."""
    result = Delivery()
    if not state.config.callback_url:
        result.errors.append("callback_url is not configured")
        return result
    copies = max(1, int(state.fault("duplicate_callbacks")))
    for _ in range(copies):
        _deliver_with_retries(state, plaintext, userid, card_id, result)
    return result


def _deliver_with_retries(state, plaintext, userid, card_id, result: Delivery) -> None:
    config = state.config
    for _ in range(1 + max(0, config.callback_retries)):
        response = _post_once(state, plaintext, result)
        if response is None:
            continue
        if response.status_code != 200:
            result.errors.append(f"attempt {result.attempts}: HTTP {response.status_code}")
            if config.retry_on_http_error:
                continue
            return
        result.delivered += 1
        _take_reply(state, response.content, userid, card_id, result)
        return


def _post_once(state: EmulatorState, plaintext: str, result: Delivery):
    """POST one freshly encrypted copy; return the response, or None on timeout or refusal."""
    config = state.config
    assert config.callback_url is not None  # deliver() returns early without one
    params, body = seal(config, plaintext)
    result.attempts += 1
    with requests.Session() as session:
        session.trust_env = False
        try:
            return session.post(
                config.callback_url,
                params=params,
                data=body.encode("utf-8"),
                headers=HEADERS,
                timeout=config.callback_timeout,
            )
        except requests.RequestException as exc:
            result.errors.append(f"attempt {result.attempts}: {type(exc).__name__}")
            return None


def _take_reply(state, content: bytes, userid: str, card_id, result: Delivery) -> None:
    text = content.decode("utf-8", errors="replace").strip()
    if text in ACKS:
        return
    try:
        plain = parse_xml(open_reply(state.config, text))
    except ReplyError as exc:
        result.errors.append(f"bad passive reply: {exc}")
        return
    result.errors.extend(_addressing_problems(state, plain, userid))
    record = state.record(
        direction="bot", channel="passive", userid=userid, **reply_fields(state, plain)
    )
    _apply_card_change(state, record, card_id, result)
    result.replies.append(record)


def _addressing_problems(state: EmulatorState, plain: dict, userid: str) -> list[str]:
    problems = []
    if plain.get("ToUserName") != userid:
        problems.append(f"passive reply ToUserName {plain.get('ToUserName')!r} is not {userid!r}")
    if plain.get("FromUserName") != state.config.corp_id:
        problems.append(f"passive reply FromUserName {plain.get('FromUserName')!r} is not the corp")
    return problems


def _apply_card_change(state, record: dict, card_id: int | None, result: Delivery) -> None:
    if record["msgtype"] not in ("update_button", "update_template_card"):
        return
    if card_id is None:
        result.errors.append(f"{record['msgtype']} reply without a template card event")
    elif record["msgtype"] == "update_button":
        state.update_message(card_id, replace_name=record.get("replace_name"))
    else:
        state.update_message(card_id, card=record.get("card"), replace_name=None)


def reply_fields(state: EmulatorState, plain: dict) -> dict:
    """Turn a passive reply's plaintext into the fields of a recorded message."""
    msgtype = str(plain.get("MsgType") or "unknown")
    if msgtype == "text":
        return {"msgtype": "text", "content": plain.get("Content") or ""}
    if msgtype in ("image", "voice", "video"):
        return {"msgtype": msgtype, "media": _media_link(state, plain.get(msgtype.capitalize()))}
    if msgtype == "news":
        return {"msgtype": "news", "articles": _articles(plain.get("Articles"))}
    if msgtype == "update_button":
        button = plain.get("Button")
        if not isinstance(button, dict):
            button = {}
        return {"msgtype": msgtype, "replace_name": button.get("ReplaceName") or ""}
    if msgtype == "update_template_card":
        return {"msgtype": msgtype, "card": plain.get("TemplateCard")}
    return {"msgtype": msgtype, "raw": plain}


def _media_link(state: EmulatorState, section: object) -> dict:
    media_id = section.get("MediaId") if isinstance(section, dict) else None
    media = state.find_media(str(media_id or ""))
    return media.link() if media else {"media_id": media_id, "missing": True}


def _articles(section: object) -> list[dict]:
    items = section.get("item") if isinstance(section, dict) else None
    items = items if isinstance(items, list) else [items] if isinstance(items, dict) else []
    names = {"Title": "title", "Description": "description", "Url": "url", "PicUrl": "picurl"}
    return [{key: item.get(tag) or "" for tag, key in names.items()} for item in items]


def verify_url(state: EmulatorState) -> dict:
    """Run the GET URL-verification handshake against the bot, as the admin's Save does."""
    config = state.config
    if not config.callback_url:
        return {"ok": False, "error": "callback_url is not configured"}
    echo = str(10**18 + secrets.randbelow(9 * 10**18))
    echostr, timestamp, nonce = encrypt(config, echo), str(int(time.time())), fresh_nonce()
    params = {
        "msg_signature": sign(config.token, timestamp, nonce, echostr),
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": echostr,
    }
    return _check_echo(config, params, echo)


def _check_echo(config, params: dict, echo: str) -> dict:
    started = time.monotonic()
    with requests.Session() as session:
        session.trust_env = False
        try:
            response = session.get(
                config.callback_url, params=params, timeout=config.verify_timeout
            )
        except requests.RequestException as exc:
            return {"ok": False, "expected": echo, "error": type(exc).__name__}
    elapsed = round(time.monotonic() - started, 3)
    error = _echo_problem(response, echo, elapsed > config.verify_timeout)
    return {
        "ok": error is None,
        "error": error,
        "elapsed": elapsed,
        "status": response.status_code,
        "expected": echo,
        "body": response.text[:200],
    }


def _echo_problem(response: requests.Response, echo: str, late: bool) -> str | None:
    if response.status_code != 200:
        return "status is not 200"
    if response.content != echo.encode("ascii"):
        return "body is not the bare plaintext"
    return "slower than the allowed time" if late else None
