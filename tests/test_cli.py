"""The console script: every command answers --help; settings errors stop start-up cleanly."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from backend.cli import main


def _every_command(group: click.Group, path: tuple[str, ...] = ()) -> list[list[str]]:
    """List the path of every command and group under `group`, itself included."""
    paths = [list(path)]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += _every_command(command, (*path, name))
        else:
            paths.append([*path, name])
    return paths


COMMANDS = _every_command(main)


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


def test_api_token_create_prints_a_working_token(cli_county):
    from sqlmodel import Session

    from backend.org.api_tokens import verify_token

    engine = cli_county
    result = CliRunner().invoke(main, ["api-token", "create", "carol", "--label", "测试"])
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assert verify_token(session, result.output.strip()).wecom_userid == "carol"
    refused = CliRunner().invoke(main, ["api-token", "create", "nobody"])
    assert refused.exit_code != 0 and "nobody" in refused.output
