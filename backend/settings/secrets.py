"""Tell a real secret from an example or a guessable one (SECRET_KEY, WECOM_TOKEN, WECOM_AES_KEY).

A real value passes: `secrets.token_urlsafe(48)` for SECRET_KEY, and what the WeCom console's
随机获取 button gives (15–32 random letters and digits for the Token, 43 random Base64
characters for the EncodingAESKey). A value fails when it is empty, one that was ever published (our
`.env.example`, old test fixtures, the official WeCom samples), or guessable: too short, too few
estimated bits, repeated blocks, runs of neighbouring characters, or a common word inside.
"""

from __future__ import annotations

import base64
import itertools
import math
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

RANDOM_KEY_COMMAND = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
WECOM_HINT = "企业微信管理后台 → 应用 → 接收消息 → 设置API接收，点“随机获取”"


@dataclass(frozen=True)
class SecretRule:
    """How long and how random one secret setting must be, and how to generate it."""

    min_length: int
    min_bits: float
    hint: str


BOT_HINT = "企业微信管理后台 → 智能机器人 → API 模式 → 长连接，重新获取 Secret"
SECRET_RULES = {
    "SECRET_KEY": SecretRule(32, 128, RANDOM_KEY_COMMAND),
    # WeCom allows 3–32 letters and digits; its random button gives 15 or more.
    "WECOM_TOKEN": SecretRule(12, 60, WECOM_HINT),
    "WECOM_AES_KEY": SecretRule(43, 128, WECOM_HINT),
    # The intelligent bot's long-connection secret, shown once in its API settings.
    "WECOM_BOT_SECRET": SecretRule(
        16, 80, "在企业微信管理后台“智能机器人 → API 模式 → 长连接”重新获取 Secret"
    ),
}

# Values ever shipped in .env.example, our test and benchmark fixtures, and the official samples
# (WeCom's Sample.py and 加解密方案说明, wechatpy's tests); compared without case.
KNOWN_EXAMPLES = frozenset(
    value.lower()
    for value in (
        "replace-with-a-long-random-string",
        "replace-with-the-callback-token",
        "replace-with-the-app-secret",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "test-secret-key-0123456789",
        "bench-secret-key-0123456789",
        "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
        "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
        "QDG6eK",
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
        "123456",
    )
)
# Words of five letters or more that people type into placeholders. Five letters keep the chance
# that a random 43-character key holds one by accident below 1 in 10,000.
COMMON_WORDS = (
    "replace", "example", "secret", "password", "passwd", "token", "change", "default",
    "sample", "lvzhi", "wecom", "weixin", "admin", "qwerty", "asdfgh",
    "letmein", "welcome", "random", "string", "django", "flask", "insecure", "dummy",
    "placeholder", "callback", "aeskey", "encoding",
)  # fmt: skip
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


def setting_weakness(name: str, value: str) -> str | None:
    """Return why this value must not be used for the secret setting `name`, with how to fix it."""
    rule = SECRET_RULES[name]
    reason = weakness(value, min_length=rule.min_length, min_bits=rule.min_bits)
    return f"{reason}；请重新生成: {rule.hint}" if reason else None


def weakness(value: str, *, min_length: int, min_bits: float) -> str | None:
    """Return why this secret must not be used (Chinese), or None when it looks random."""
    text = value.strip()
    if not text:
        return "为空"
    if text.lower() in KNOWN_EXAMPLES:
        return "是公开的示例值，任何人都知道"
    if len(text) < min_length:
        return f"太短（至少 {min_length} 个随机字符）"
    if estimated_bits(text) < min_bits or _repetitive(text) or _mostly_sequential(text):
        return "太容易猜（字符种类太少、重复或连续）"
    if any(word in text.lower() for word in COMMON_WORDS):
        return "含常见单词，太容易猜"
    return None


def estimated_bits(text: str) -> float:
    """Estimate a secret's entropy: its length times log2 of the character classes it uses."""
    pool = sum(len(chars) for chars in _CLASSES if any(c in chars for c in text))
    if any(not c.isascii() or not c.isalnum() for c in text):
        pool += 33
    return len(text) * math.log2(pool) if pool > 1 else 0.0


def _repetitive(text: str) -> bool:
    """Tell whether few distinct characters or repeated blocks make up the text."""
    distinct = len(set(text))
    if distinct < min(max(5, len(text) // 4), 10):
        return True
    trigrams = [text[i : i + 3] for i in range(len(text) - 2)]
    return len(set(trigrams)) < 0.6 * len(trigrams)


def _mostly_sequential(text: str) -> bool:
    """Tell whether most neighbours are equal or adjacent characters (aaaa, abcd, 4321)."""
    steps = [abs(ord(a) - ord(b)) <= 1 for a, b in itertools.pairwise(text)]
    return sum(steps) > 0.5 * len(steps)


def new_secret_key() -> str:
    """Return a fresh SECRET_KEY (64 URL-safe characters, 384 bits)."""
    return secrets.token_urlsafe(48)


def new_wecom_token() -> str:
    """Return a fresh callback Token like WeCom's random button: 32 letters and digits."""
    while True:
        token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        if setting_weakness("WECOM_TOKEN", token) is None:
            return token


def new_aes_key() -> str:
    """Return a fresh EncodingAESKey: 32 random bytes as 43 Base64 characters."""
    while True:
        key = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        if setting_weakness("WECOM_AES_KEY", key) is None:
            return key


def write_private_text(path: Path, text: str) -> None:
    """Write a file holding secrets readable by its owner only (mode 0600, also when it existed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
