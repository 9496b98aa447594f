"""Settings: defaults, normalisation, and start-up refusal naming the bad setting."""

from __future__ import annotations

import re

import pytest

from backend.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from tests.support.stack import TEST_WECOM


def test_defaults_and_normalisation(monkeypatch):
    monkeypatch.chdir("/")
    settings = load_settings(
        **TEST_WECOM,
        WECOM_API_BASE="http://127.0.0.1:1/cgi-bin",
        DATABASE_URL="postgresql://u@h/db",
    )
    assert settings.WECOM_API_BASE.endswith("/cgi-bin/")
    assert settings.DATABASE_URL.startswith("postgresql+psycopg://")
    assert settings.LVZHI_TIMEZONE == "Asia/Shanghai"
    assert settings.DATABASE_URL != "" and "sqlite" in load_settings(**TEST_WECOM).DATABASE_URL


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WECOM_AES_KEY", "too-short"),
        ("WECOM_AGENT_ID", "abc"),
        ("LVZHI_TIMEZONE", "Mars/Base"),
        ("WECOM_API_BASE", "ftp://x"),
        ("DATABASE_URL", "mysql://x"),
        ("SECRET_KEY", "short"),
        ("LVZHI_SCHEDULER_NOW", "yesterday"),
        ("LVZHI_SCHEDULER_LEASE_SECONDS", "0"),
    ],
)
def test_malformed_setting_is_named(name, value, monkeypatch):
    monkeypatch.chdir("/")
    with pytest.raises(SettingsError, match=name):
        load_settings(**{**TEST_WECOM, name: value})


@pytest.mark.parametrize("value", ["bot:", "teams:wrGroup01", "wrGroup01", "bot: "])
def test_an_admin_chat_without_a_known_route_and_target_is_refused(value, monkeypatch):
    monkeypatch.chdir("/")
    with pytest.raises(SettingsError, match="LVZHI_ADMIN_CHAT"):
        load_settings(**{**TEST_WECOM, "LVZHI_ADMIN_CHAT": value})


def test_an_admin_chat_may_be_a_group_the_bot_is_in(monkeypatch):
    monkeypatch.chdir("/")
    settings = load_settings(**{**TEST_WECOM, "LVZHI_ADMIN_CHAT": " bot:wrAdminGroup01 "})
    assert settings.LVZHI_ADMIN_CHAT == "bot:wrAdminGroup01"


def test_missing_setting_is_named(monkeypatch):
    monkeypatch.chdir("/")
    for key in TEST_WECOM:
        monkeypatch.delenv(key, raising=False)
    values = {k: v for k, v in TEST_WECOM.items() if k != "WECOM_CORP_ID"}
    with pytest.raises(SettingsError, match="WECOM_CORP_ID"):
        load_settings(**values)


def test_environment_is_read(monkeypatch):
    monkeypatch.chdir("/")
    for key, value in TEST_WECOM.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://lvzhi.example.gov.cn")
    assert load_settings().PUBLIC_BASE_URL == "https://lvzhi.example.gov.cn"


def test_scheduler_knobs_and_testing_aid_are_settings(monkeypatch):
    monkeypatch.chdir("/")
    for key, value in TEST_WECOM.items():
        monkeypatch.setenv(key, str(value))
    assert load_settings().LVZHI_SCHEDULER_NOW == ""  # real time unless a test shifts it
    monkeypatch.setenv("LVZHI_SCHEDULER_LEASE_SECONDS", "3")
    monkeypatch.setenv("LVZHI_SCHEDULER_TICK_SECONDS", "0.5")
    monkeypatch.setenv("LVZHI_SCHEDULER_NOW", "2026-09-30T16:29:50+08:00")
    settings = load_settings()
    assert settings.LVZHI_SCHEDULER_LEASE_SECONDS == 3
    assert settings.LVZHI_SCHEDULER_TICK_SECONDS == 0.5
    assert settings.LVZHI_SCHEDULER_NOW == "2026-09-30T16:29:50+08:00"


def test_the_example_file_documents_every_setting() -> None:
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    missing = [
        name for name in Settings.model_fields if not re.search(rf"^(# )?{name}=", example, re.M)
    ]
    assert missing == []
