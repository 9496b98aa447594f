"""WeCom callback crypto: constant-time signature check, AES-256-CBC, defensive unpacking."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import string
import struct
import time
from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy.enterprise.crypto import PrpCrypto

from bot.messages import cdata, text_of, xml_root

PAD_BLOCK = 32
PREFIX_LEN = 16
_PREFIX_ALPHABET = string.ascii_letters + string.digits
_ENVELOPE = """<xml>
<Encrypt>{encrypt}</Encrypt>
<MsgSignature>{signature}</MsgSignature>
<TimeStamp>{timestamp}</TimeStamp>
<Nonce>{nonce}</Nonce>
</xml>"""


class CallbackError(Exception):
    """A callback that must be refused; `code` is the official WXBizMsgCrypt error code."""

    code: int = -40001

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class SignatureError(CallbackError):
    """The msg_signature does not match."""

    code = -40001


class MalformedCallback(CallbackError):
    """The body is not the expected XML, or the ciphertext is not Base64."""

    code = -40002


class DecryptError(CallbackError):
    """The ciphertext does not decrypt to a valid frame (-40005 when the corp id differs)."""

    code = -40007


CORP_ID_MISMATCH = -40005


def signature(token: str, timestamp: str | int, nonce: str, encrypted: str) -> str:
    """Return the WeCom msg_signature: sha1 hex of the sorted, concatenated parts."""
    parts = sorted([str(token), str(timestamp), str(nonce), str(encrypted)])
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()  # noqa: S324 (protocol)


def _fresh_nonce() -> str:
    return str(secrets.randbelow(9 * 10**9) + 10**9)


def _timestamp_text(timestamp: str | int | None) -> str:
    text = str(int(time.time())) if timestamp is None else str(timestamp)
    if not text.isdigit():
        raise ValueError(f"timestamp must be unix seconds, got {text!r}")
    return text


class _Cipher(PrpCrypto):
    """wechatpy's AES frame encoder with a secure (or fixed, for tests) random prefix."""

    def __init__(self, key: bytes, prefix_source: Any) -> None:
        super().__init__(key)
        self._prefix_source = prefix_source

    def get_random_string(self) -> str:
        """Return the 16-character random prefix of a frame."""
        return self._prefix_source()


class CallbackCrypto:
    """Sign, verify, encrypt and decrypt WeCom callbacks for one self-built app."""

    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("EncodingAESKey is not valid Base64") from exc
        if len(encoding_aes_key) != 43 or len(key) != 32:
            raise ValueError("EncodingAESKey must be 43 characters (a 32-byte key)")
        self.token = token
        self.corp_id = corp_id
        self._cipher = _Cipher(key, self.random_prefix)

    def random_prefix(self) -> str:
        """Return the 16 random ASCII characters that start every encrypted frame."""
        return "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LEN))

    def check_signature(self, msg_signature: str, timestamp: str, nonce: str, data: str) -> None:
        """Raise SignatureError unless msg_signature signs data (constant-time compare)."""
        expected = signature(self.token, timestamp, nonce, data).encode("ascii")
        given = str(msg_signature or "").encode("utf-8")
        if not hmac.compare_digest(expected, given):
            raise SignatureError("msg_signature mismatch")

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """Check a URL-verification request and return the decrypted echostr."""
        self.check_signature(msg_signature, timestamp, nonce, echostr)
        return self.decrypt_text(echostr)

    def decrypt(self, body: bytes | str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Check and decrypt a callback POST body; return the plaintext message XML."""
        encrypted = _field(_outer_xml(body), "Encrypt")
        self.check_signature(msg_signature, timestamp, nonce, encrypted)
        return self.decrypt_text(encrypted)

    def decrypt_reply(self, envelope_xml: str) -> str:
        """Check and decrypt a passive-reply envelope; return its plaintext XML."""
        envelope = _outer_xml(envelope_xml)
        encrypted = _field(envelope, "Encrypt")
        timestamp, nonce = _field(envelope, "TimeStamp"), _field(envelope, "Nonce")
        self.check_signature(_field(envelope, "MsgSignature"), timestamp, nonce, encrypted)
        return self.decrypt_text(encrypted)

    def encrypt_text(self, plaintext: str) -> str:
        """Encrypt plaintext into the Base64 frame used for Encrypt and echostr."""
        return self._cipher.encrypt(plaintext, self.corp_id).decode("ascii")

    def decrypt_text(self, encrypted: str) -> str:
        """Decrypt a Base64 frame and check its receiveid; never leak low-level errors."""
        try:
            raw = base64.b64decode(encrypted.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedCallback("ciphertext is not Base64") from exc
        if not raw or len(raw) % 16:
            raise DecryptError("ciphertext length is not a multiple of the AES block")
        message, receive_id = _unpack(self._cipher.cipher.decrypt(raw))
        if not hmac.compare_digest(receive_id, self.corp_id.encode("utf-8")):
            raise DecryptError("receiveid does not match the corp id", CORP_ID_MISMATCH)
        return message

    def encrypt(
        self, plaintext_xml: str, nonce: str | None = None, timestamp: str | int | None = None
    ) -> str:
        """Return the encrypted, signed passive-reply envelope for plaintext_xml."""
        nonce, stamp = nonce or _fresh_nonce(), _timestamp_text(timestamp)
        encrypted = self.encrypt_text(plaintext_xml)
        return _ENVELOPE.format(
            encrypt=cdata(encrypted),
            signature=cdata(signature(self.token, stamp, nonce, encrypted)),
            timestamp=stamp,
            nonce=cdata(nonce),
        )

    def encrypt_callback(
        self,
        plaintext_xml: str,
        agent_id: int | str | None,
        nonce: str | None = None,
        timestamp: str | int | None = None,
    ) -> tuple[str, dict[str, str]]:
        """Return (POST body, query params) exactly as the WeCom server sends a callback."""
        encrypted = self.encrypt_text(plaintext_xml)
        params = self._signed_params(encrypted, nonce, timestamp)
        agent = "" if agent_id is None else f"<AgentID>{cdata(agent_id)}</AgentID>"
        body = f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName>"
        body += f"<Encrypt>{cdata(encrypted)}</Encrypt>{agent}</xml>"
        return body, params

    def encrypt_echostr(
        self, plain: str, nonce: str | None = None, timestamp: str | int | None = None
    ) -> tuple[str, dict[str, str]]:
        """Return (echostr, query params incl. echostr) for a URL-verification GET."""
        echostr = self.encrypt_text(plain)
        return echostr, {**self._signed_params(echostr, nonce, timestamp), "echostr": echostr}

    def _signed_params(
        self, encrypted: str, nonce: str | None, timestamp: str | int | None
    ) -> dict[str, str]:
        nonce, stamp = nonce or _fresh_nonce(), _timestamp_text(timestamp)
        msg_signature = signature(self.token, stamp, nonce, encrypted)
        return {"msg_signature": msg_signature, "timestamp": stamp, "nonce": nonce}


def _outer_xml(body: bytes | str) -> dict[str, Any]:
    try:
        return xml_root(body)
    except (ExpatError, ValueError, TypeError) as exc:
        raise MalformedCallback(f"body is not callback XML: {exc}") from exc


def _field(envelope: dict[str, Any], name: str) -> str:
    value = text_of(envelope, name)
    if not value:
        raise MalformedCallback(f"<{name}> missing")
    return value


def _unpack(plain: bytes) -> tuple[str, bytes]:
    """Split random(16) | len(4, big-endian) | msg | receiveid | PKCS#7(32) into (msg, id)."""
    pad = plain[-1]
    if not 1 <= pad <= PAD_BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise DecryptError("bad padding (wrong EncodingAESKey?)")
    content = plain[PREFIX_LEN:-pad]
    if len(content) < 4:
        raise DecryptError("frame too short")
    (length,) = struct.unpack(">I", content[:4])
    if length > len(content) - 4:
        raise DecryptError("message length exceeds the frame")
    try:
        message = content[4 : 4 + length].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecryptError("message is not UTF-8") from exc
    return message, content[4 + length :]
