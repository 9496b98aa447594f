"""What every emulated API call shares: the state, the JSON body, the token and agent checks."""

from __future__ import annotations

import json

from flask import current_app, request

from bot.emulator.errors import ApiError
from bot.emulator.longconn import BotSocket
from bot.emulator.state import EmulatorState

EXTENSION = "wecom_emulator"
BOT_SOCKET = "wecom_bot_socket"  # the long-connection server, when the emulator plays a bot


def current_state() -> EmulatorState:
    """Return the state of the emulator serving this request."""
    return current_app.extensions[EXTENSION]


def current_bot_socket() -> BotSocket | None:
    """Return the long-connection server of this emulator, if it plays an intelligent bot."""
    return current_app.extensions.get(BOT_SOCKET)


def json_body() -> dict:
    """Parse the request body as a JSON object whatever its Content-Type."""
    try:
        data = json.loads(request.get_data(cache=True) or b"{}")
    except ValueError as exc:
        raise ApiError(47001, "body is not JSON") from exc
    if not isinstance(data, dict):
        raise ApiError(47001, "body must be a JSON object")
    return data


def check_token() -> None:
    """Reject the call unless it carries a valid access_token."""
    token = request.args.get("access_token")
    if not token:
        raise ApiError(41001)
    status = current_state().token_status(token)
    if status == "expired":
        raise ApiError(42001)
    if status == "unknown":
        raise ApiError(40014)


def check_agent(body: dict) -> None:
    """Reject a body whose agentid is not this app's."""
    try:
        agent = int(body.get("agentid", ""))
    except (TypeError, ValueError) as exc:
        raise ApiError(40056, "agentid missing or not a number") from exc
    if agent != current_state().config.agent_id:
        raise ApiError(40056)
