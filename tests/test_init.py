"""`lvzhi init`: a private `.env` with fresh secrets, checked by Settings, and the next steps."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from dotenv import dotenv_values

from backend.cli import main
from backend.settings import load_settings

OPTIONS = [
    "--corp-id",
    "ww1234567890abcdef",
    "--agent-id",
    "1000002",
    "--secret",
    "Sx7pQ2mN9vR4tL8wK3jH6fD1gB5cZ0aE",
    "--public-url",
    "https://lvzhi.example.gov.cn",
]
NAMES = (
    "WECOM_CORP_ID",
    "WECOM_AGENT_ID",
    "WECOM_SECRET",
    "WECOM_TOKEN",
    "WECOM_AES_KEY",
    "SECRET_KEY",
    "PUBLIC_BASE_URL",
    "DATABASE_URL",
    "WECOM_API_BASE",
)


@pytest.fixture
def env(tmp_path, monkeypatch) -> Path:
    """Where `lvzhi init` writes, with no setting left in the environment."""
    monkeypatch.chdir(tmp_path)
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path / ".env"


def init(*args: str, input: str | None = None):
    """Run `lvzhi init` with these arguments and answers."""
    return CliRunner().invoke(main, ["init", *args], input=input)


def test_non_interactive_writes_a_private_file_that_settings_accept(env):
    result = init("--non-interactive", *OPTIONS)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    settings = load_settings(_env_file=env)
    assert settings.WECOM_CORP_ID == "ww1234567890abcdef" and settings.WECOM_AGENT_ID == 1000002
    assert settings.DATABASE_URL.endswith("/var/lvzhi.db")  # the default
    text = env.read_text(encoding="utf-8")
    assert "# 企业ID" in text and "# 接收消息的 Token" in text and "/ callback Token" in text
    assert settings.LVZHI_TRUSTED_PROXIES == 1  # https: behind the shipped nginx site
    for step in (
        "https://lvzhi.example.gov.cn/wecom/callback",
        settings.WECOM_TOKEN,
        settings.WECOM_AES_KEY,
        "企业可信IP",
        "可信域名：lvzhi.example.gov.cn",
        "lvzhi doctor",
        "deploy/nginx/lvzhi.conf",
        "deploy/systemd/lvzhi-web.service",
        "deploy/systemd/lvzhi-scheduler.service",
        "lvzhi serve",
    ):
        assert step in result.output


def test_each_run_generates_new_secrets(env, tmp_path):
    init("--non-interactive", *OPTIONS)
    other = tmp_path / "other.env"
    init("--non-interactive", "--env-file", str(other), *OPTIONS)
    first, second = dotenv_values(env), dotenv_values(other)
    for name in ("SECRET_KEY", "WECOM_TOKEN", "WECOM_AES_KEY"):
        assert first[name] != second[name]


def test_prompts_ask_for_each_value_and_keep_the_default_database(env):
    answers = "ww1234567890abcdef\n1000002\nmy-app-secret-value\nhttps://lvzhi.example.gov.cn/\n\n"
    result = init(input=answers)
    assert result.exit_code == 0, result.output
    values = dotenv_values(env)
    assert values["PUBLIC_BASE_URL"] == "https://lvzhi.example.gov.cn"  # trailing slash dropped
    assert values["WECOM_SECRET"] == "my-app-secret-value"
    assert "my-app-secret-value" not in result.output  # typed without echo


def test_bad_answers_are_explained_and_asked_again(env):
    answers = (
        "ww 1234\nww1234567890abcdef\n"  # a blank inside the corp id
        "abc\n0\n1000002\n"  # not a number, then below 1
        "secret-value-here\n"
        "ftp://lvzhi.example.gov.cn\nhttp://192.0.2.10:8000\n"  # wrong scheme, then http
        "mysql://db/lvzhi\nsqlite:///var/test.db\n"
    )
    result = init(input=answers)
    assert result.exit_code == 0, result.output
    assert "企业ID (corp id) 不正确：企业ID只含字母和数字" in result.output
    assert "应用 AgentId (agent id) 不正确：应为整数" in result.output
    assert "不正确：应不小于 1" in result.output
    assert "must start with http:// or https://" in result.output
    assert "不是 https 地址" in result.output  # http is accepted with a warning
    assert "must be sqlite:///PATH or postgresql+psycopg://USER@HOST/DB" in result.output
    assert dotenv_values(env)["WECOM_AGENT_ID"] == "1000002"
    assert "LVZHI_TRUSTED_PROXIES" not in dotenv_values(env)  # plain http: no proxy assumed


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--agent-id", "abc", "应为整数"),
        ("--corp-id", "企业ID", "只含字母和数字"),
        ("--public-url", "lvzhi.example.gov.cn", "must start with http"),
    ],
)
def test_a_bad_option_fails_naming_it_and_writes_nothing(env, option, value, reason):
    args = list(OPTIONS)
    args[args.index(option) + 1] = value
    result = init("--non-interactive", *args)
    assert result.exit_code == 2
    assert option in result.output and reason in result.output
    assert not env.exists()


def test_a_missing_option_fails_in_non_interactive_mode(env):
    result = init("--non-interactive", "--agent-id", "1000002")
    assert result.exit_code == 2 and "缺少 --corp-id" in result.output
    assert not env.exists()


def test_an_existing_file_is_kept_without_consent(env):
    env.write_text("WECOM_CORP_ID=keep-me\n", encoding="utf-8")
    result = init("--non-interactive", *OPTIONS)
    assert result.exit_code == 1 and "已存在" in result.output and "--force" in result.output
    result = init(*OPTIONS, input="n\n")
    assert result.exit_code == 1 and "没有改动任何文件" in result.output
    assert env.read_text(encoding="utf-8") == "WECOM_CORP_ID=keep-me\n"


def test_overwriting_with_consent_keeps_the_callback_secrets(env):
    init("--non-interactive", *OPTIONS)
    before = dotenv_values(env)
    result = init(*OPTIONS[:2], "--agent-id", "1000009", *OPTIONS[4:], input="y\n\n")
    assert result.exit_code == 0, result.output
    after = dotenv_values(env)
    assert after["WECOM_AGENT_ID"] == "1000009"
    for name in ("SECRET_KEY", "WECOM_TOKEN", "WECOM_AES_KEY"):
        assert after[name] == before[name]  # the WeCom console keeps working
    assert init("--non-interactive", "--force", *OPTIONS).exit_code == 0
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
