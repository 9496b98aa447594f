"""WeCom tokens and secrets never reach a log line: the emulator's request log and our errors."""

from __future__ import annotations

import io
import json
import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bot.emulator.config import EmulatorConfig
from bot.emulator.server import EmulatorServer
from bot.redact import RedactSecrets, redact

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET = "corp-secret-that-must-stay-hidden-0123456789"


@pytest.mark.parametrize(
    ("line", "hidden", "kept"),
    [
        ("GET /cgi-bin/gettoken?corpid=ww1&corpsecret=S3CRET HTTP/1.1", "S3CRET", "corpid=ww1"),
        ("POST /cgi-bin/message/send?access_token=TOK_123&debug=1", "TOK_123", "debug=1"),
        ("url: /cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4", "693a91f6", "webhook/send"),
        ("GET /console/login/wecom/return?code=CODE9&state=s", "CODE9", "state=s"),
        ("outbox row 7 not delivered: errcode=60020 dedupe_key=abc", "", "errcode=60020"),
    ],
)
def test_redact_hides_credential_values_and_keeps_the_rest(line, hidden, kept) -> None:
    cleaned = redact(line)
    if hidden:
        assert hidden not in cleaned and "=***" in cleaned
    else:
        assert cleaned == line
    assert kept in cleaned


def test_the_emulators_request_log_hides_the_secret_and_the_token(caplog) -> None:
    config = EmulatorConfig(
        corp_id="wwredact000000001",
        agent_id=1000002,
        secret=SECRET,
        token="t" * 32,
        aes_key="a" * 43,
    )
    capture = caplog.at_level(logging.INFO, logger="werkzeug")
    with capture, EmulatorServer(config, log_requests=True) as server:
        answer = requests.get(
            f"{server.api_base}gettoken",
            params={"corpid": config.corp_id, "corpsecret": SECRET},
            timeout=5,
        ).json()
        token = answer["access_token"]
        requests.get(f"{server.api_base}agent/get?access_token={token}&agentid=1", timeout=5)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "gettoken" in logged and "agent/get" in logged
    assert SECRET not in logged
    assert token not in logged


def test_a_failed_call_logged_with_its_traceback_hides_the_token() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        url = f"http://127.0.0.1:{port}/cgi-bin/message/send?access_token=TOKEN_VALUE_42"
        try:
            requests.post(url, json={}, timeout=2)
        except requests.RequestException as error:
            logger.exception("send failed: %s", error)
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "send failed" in written and "Traceback" in written
    assert "TOKEN_VALUE_42" not in written
    assert "access_token=***" in written


def test_a_cli_verb_without_logging_set_up_hides_the_token_too() -> None:
    code = (
        "import logging; from backend.cli import main; main.callback();"
        "logging.getLogger('backend.outbox.delivery')"
        ".warning('failed: /send?access_token=TOKEN_77')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert "failed: /send?access_token=***" in done.stderr
    assert "TOKEN_77" not in done.stderr


def test_json_logs_are_one_object_per_line_with_the_traceback_redacted() -> None:
    code = (
        "import logging; from backend.ops.logs import configure_logging; configure_logging('json');"
        "log = logging.getLogger('backend.outbox.delivery');"
        "log.info('日志 /send?access_token=TOKEN_88')\n"
        "try:\n    raise RuntimeError('GET /gettoken?corpsecret=SECRET_99')\n"
        "except RuntimeError:\n    log.exception('call failed')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    first, second = (json.loads(line) for line in done.stderr.splitlines())
    assert first["message"] == "日志 /send?access_token=***"
    assert (first["level"], first["logger"]) == ("INFO", "backend.outbox.delivery")
    assert second["message"] == "call failed" and "corpsecret=***" in second["exc_info"]
    assert "TOKEN_88" not in done.stderr and "SECRET_99" not in done.stderr
