"""Secrets: published, empty and guessable values are refused at start-up; real ones pass."""

from __future__ import annotations

import base64
import random
import stat
import string

import pytest

from backend.cli.demo import write_demo_env
from backend.settings import SettingsError, load_settings
from backend.settings.secrets import (
    SECRET_RULES,
    new_aes_key,
    new_secret_key,
    new_wecom_token,
    weakness,
)
from tests.support.stack import TEST_WECOM

# The review forged a session cookie for account 1 with this key from .env.example.
OLD_EXAMPLE_SECRET_KEY = "replace-with-a-long-random-string"
PUBLISHED = [
    ("SECRET_KEY", OLD_EXAMPLE_SECRET_KEY),
    ("SECRET_KEY", "test-secret-key-0123456789"),
    ("WECOM_TOKEN", "replace-with-the-callback-token"),
    ("WECOM_TOKEN", "QDG6eK"),
    ("WECOM_TOKEN", "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"),
    ("WECOM_AES_KEY", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
    ("WECOM_AES_KEY", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"),
    ("WECOM_AES_KEY", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"),
    ("WECOM_AES_KEY", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"),
]
GUESSABLE = [
    ("SECRET_KEY", ""),
    ("SECRET_KEY", "  "),
    ("SECRET_KEY", "short-but-random-Xq7"),
    ("SECRET_KEY", "a" * 64),
    ("SECRET_KEY", "abcdefghijklmnopqrstuvwxyz0123456789"),
    ("SECRET_KEY", "x7Kp2mQz" * 6),
    ("SECRET_KEY", "please-change-this-to-something-long"),
    ("SECRET_KEY", "my-flask-app-secret-key-for-production"),
    ("WECOM_TOKEN", ""),
    ("WECOM_TOKEN", "Ab3dE9"),
    ("WECOM_TOKEN", "111111111111111111"),
    ("WECOM_TOKEN", "abcdefghijklmnop"),
    ("WECOM_TOKEN", "my-wecom-token-here"),
    ("WECOM_TOKEN", "qwertyuiop123456"),
    ("WECOM_AES_KEY", ""),
    ("WECOM_AES_KEY", "A" * 43),
    ("WECOM_AES_KEY", "0123456789012345678901234567890123456789012"),
    ("WECOM_AES_KEY", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"),
    ("WECOM_AES_KEY", "thisIsMyEncodingAesKeyForTheWecomCallbackOK"),
]


def test_old_example_secret_key_is_refused(monkeypatch):
    monkeypatch.chdir("/")
    with pytest.raises(SettingsError, match="SECRET_KEY") as refused:
        load_settings(**{**TEST_WECOM, "SECRET_KEY": OLD_EXAMPLE_SECRET_KEY})
    assert "示例值" in str(refused.value) and "secrets.token_urlsafe" in str(refused.value)


@pytest.mark.parametrize(("name", "value"), PUBLISHED + GUESSABLE)
def test_weak_secret_is_refused_naming_the_setting_and_the_fix(name, value, monkeypatch):
    monkeypatch.chdir("/")
    with pytest.raises(SettingsError, match=name) as refused:
        load_settings(**{**TEST_WECOM, name: value})
    assert ("token_urlsafe" if name == "SECRET_KEY" else "随机获取") in str(refused.value)


def test_missing_secret_is_named_with_the_fix(monkeypatch):
    monkeypatch.chdir("/")
    for key in TEST_WECOM:
        monkeypatch.delenv(key, raising=False)
    values = {k: v for k, v in TEST_WECOM.items() if k != "SECRET_KEY"}
    with pytest.raises(SettingsError, match=r"SECRET_KEY: .*为空.*token_urlsafe"):
        load_settings(**values)


def _passes(name: str, value: str) -> bool:
    rule = SECRET_RULES[name]
    return weakness(value, min_length=rule.min_length, min_bits=rule.min_bits) is None


def test_values_like_wecoms_random_button_pass():
    draw = random.Random(12)
    alphabet = string.ascii_letters + string.digits
    tokens = ["".join(draw.choices(alphabet, k=draw.randint(15, 32))) for _ in range(3000)]
    keys = [base64.b64encode(draw.randbytes(32)).decode().rstrip("=") for _ in range(3000)]
    assert all(_passes("WECOM_TOKEN", token) for token in tokens)
    assert all(_passes("WECOM_AES_KEY", key) for key in keys)
    # The official samples are real random-button output: only being published refuses them
    # (reversed, they are unpublished values just as random).
    assert _passes("WECOM_TOKEN", "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"[::-1])
    assert _passes("WECOM_AES_KEY", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"[::-1])


def test_generated_secrets_load(monkeypatch):
    monkeypatch.chdir("/")
    for _ in range(50):
        fresh = {"SECRET_KEY": new_secret_key(), "WECOM_TOKEN": new_wecom_token()}
        settings = load_settings(**{**TEST_WECOM, **fresh, "WECOM_AES_KEY": new_aes_key()})
        assert fresh["SECRET_KEY"] == settings.SECRET_KEY


def test_demo_env_is_private_and_loads(tmp_path, monkeypatch):
    path = tmp_path / ".env"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    write_demo_env(path, web_port=8000, emulator_port=18080)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.chdir(tmp_path)
    for key in TEST_WECOM:
        monkeypatch.delenv(key, raising=False)
    assert load_settings().WECOM_API_BASE == "http://127.0.0.1:18080/cgi-bin/"
