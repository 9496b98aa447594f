"""The callback wire format: signatures, AES envelopes and plaintext XML, as WeCom makes them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
import string
import time

import xmltodict
from wechatpy.enterprise.crypto import PrpCrypto

from bot.emulator.config import EmulatorConfig

_ALPHABET = string.ascii_letters + string.digits
_msg_ids = itertools.count(7_300_000_000_000_000_000 + secrets.randbelow(10**15))


class ReplyError(ValueError):
    """The bot's passive reply could not be verified or decrypted."""


class Raw(str):
    """An XML fragment that build_xml inserts as is."""


class _Prp(PrpCrypto):
    """wechatpy's WeCom cipher with a cryptographically random 16-character prefix."""

    def get_random_string(self) -> str:
        return "".join(secrets.choice(_ALPHABET) for _ in range(16))


def aes_key(config: EmulatorConfig) -> bytes:
    """Decode the 43-character EncodingAESKey into the 32-byte AES key."""
    key = base64.b64decode(config.aes_key + "=")
    if len(key) != 32:
        raise ValueError("EncodingAESKey must decode to 32 bytes")
    return key


def sign(token: str, timestamp: str, nonce: str, data: str) -> str:
    """Compute msg_signature: SHA1 over the four strings sorted and joined."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, data])).encode()).hexdigest()  # noqa: S324


def encrypt(config: EmulatorConfig, plaintext: str) -> str:
    """Encrypt a plaintext with a fresh random prefix and the corp id as receiveid."""
    return _Prp(aes_key(config)).encrypt(plaintext, config.corp_id).decode("ascii")


def decrypt(config: EmulatorConfig, encrypted: str) -> str:
    """Decrypt a ciphertext and check that its receiveid is the corp id."""
    try:
        return _Prp(aes_key(config)).decrypt(encrypted, config.corp_id)
    except Exception as exc:  # wechatpy raises struct, unicode and corp-id errors alike
        raise ReplyError(f"cannot decrypt ({type(exc).__name__})") from exc


def fresh_nonce() -> str:
    """Return a random numeric nonce like WeCom's."""
    return str(1_000_000_000 + secrets.randbelow(9_000_000_000))


def new_msg_id() -> int:
    """Return a fresh 64-bit MsgId."""
    return next(_msg_ids)


def seal(config: EmulatorConfig, plaintext: str) -> tuple[dict, str]:
    """Encrypt and sign a callback; return its query parameters and XML body."""
    encrypted = encrypt(config, plaintext)
    timestamp, nonce = str(int(time.time())), fresh_nonce()
    params = {
        "msg_signature": sign(config.token, timestamp, nonce, encrypted),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    body = build_xml(
        [("ToUserName", config.corp_id), ("Encrypt", encrypted), ("AgentID", str(config.agent_id))]
    )
    return params, body


def open_reply(config: EmulatorConfig, body: str) -> str:
    """Verify a passive reply envelope's signature and return its plaintext XML."""
    envelope = parse_xml(body)
    values = [envelope.get(k) for k in ("Encrypt", "MsgSignature", "TimeStamp", "Nonce")]
    fields = [value for value in values if isinstance(value, str) and value]
    if len(fields) != len(values):
        raise ReplyError("reply lacks Encrypt, MsgSignature, TimeStamp or Nonce")
    encrypted, signature, timestamp, nonce = fields
    expected = sign(config.token, timestamp, nonce, encrypted)
    if not hmac.compare_digest(expected, signature):
        raise ReplyError("reply MsgSignature does not match")
    return decrypt(config, encrypted)


def parse_xml(text: str) -> dict:
    """Parse an <xml> document into a dict, refusing entities."""
    try:
        document = xmltodict.parse(text, disable_entities=True)
    except Exception as exc:  # expat errors have no common public base
        raise ReplyError(f"not XML ({type(exc).__name__})") from exc
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise ReplyError("no <xml> root element")
    return root


def cdata(value: str) -> str:
    """Wrap text in CDATA, splitting any ']]>' inside it."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build_xml(fields: list[tuple[str, object]]) -> str:
    """Render <xml> with strings as CDATA, numbers bare and Raw fragments as is."""
    return "<xml>" + "".join(_element(name, value) for name, value in fields) + "</xml>"


def _element(name: str, value: object) -> str:
    if isinstance(value, Raw):
        inner = str(value)
    elif isinstance(value, str):
        inner = cdata(value)
    else:
        inner = str(value)
    return f"<{name}>{inner}</{name}>"


def text_message(config: EmulatorConfig, userid: str, text: str, msg_id: int) -> str:
    """Build the plaintext XML of a member's text message."""
    return build_xml(
        [
            *_common(config, userid, "text"),
            ("Content", text),
            ("MsgId", msg_id),
            ("AgentID", config.agent_id),
        ]
    )


def event_message(config: EmulatorConfig, userid: str, event: str, extra: list) -> str:
    """Build the plaintext XML of an event (no MsgId), with extra (name, value) fields."""
    selected = [f for f in extra if f[0] == "SelectedItems"]
    plain = [f for f in extra if f[0] != "SelectedItems"]
    return build_xml(
        [
            *_common(config, userid, "event"),
            ("Event", event),
            *plain,
            ("AgentID", config.agent_id),
            *selected,
        ]
    )


def _common(config: EmulatorConfig, userid: str, msg_type: str) -> list:
    return [
        ("ToUserName", config.corp_id),
        ("FromUserName", userid),
        ("CreateTime", int(time.time())),
        ("MsgType", msg_type),
    ]


def selected_items(selected: dict[str, list[str]]) -> Raw:
    """Render a template card's selections as <SelectedItem> elements."""
    items = []
    for question, options in selected.items():
        ids = "".join(f"<OptionId>{cdata(str(o))}</OptionId>" for o in options)
        items.append(
            f"<SelectedItem><QuestionKey>{cdata(str(question))}</QuestionKey>"
            f"<OptionIds>{ids}</OptionIds></SelectedItem>"
        )
    return Raw("".join(items))
