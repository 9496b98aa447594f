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
