"""The console script: every command answers --help; settings errors stop start-up cleanly."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from backend.cli import main

COMMANDS = [
    [],
    ["serve"],
    ["scheduler"],
    ["emulator"],
    ["db"],
    ["db", "upgrade"],
    ["seed-demo"],
    ["api-token"],
    ["api-token", "create"],
    ["demo"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "lvzhi")
def test_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_bad_setting_stops_with_a_named_message(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WECOM_AES_KEY", "nope")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code != 0
    assert "WECOM_AES_KEY" in result.output


def test_api_token_create_prints_a_working_token(monkeypatch, tmp_path):
    from sqlmodel import Session

    from backend.auth_tokens import verify_token
    from backend.db import make_engine
    from backend.migrate import upgrade_database
    from tests.support.org import add_small_county
    from tests.support.stack import TEST_WECOM

    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    for key, value in {**TEST_WECOM, "DATABASE_URL": url}.items():
        monkeypatch.setenv(key, str(value))
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        add_small_county(session)
        session.commit()
    result = CliRunner().invoke(main, ["api-token", "create", "carol", "--label", "测试"])
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assert verify_token(session, result.output.strip()).wecom_userid == "carol"
    refused = CliRunner().invoke(main, ["api-token", "create", "nobody"])
    assert refused.exit_code != 0 and "nobody" in refused.output
