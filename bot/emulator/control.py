"""The emulator's own control API (/_emulator/...) and its chat page."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

from flask import Blueprint, jsonify, render_template, request, send_file

from bot.emulator.api_media import send_media
from bot.emulator.callbacks import verify_url
from bot.emulator.calls import current_bot_socket, current_state
from bot.emulator.config import ADJUSTABLE
from bot.emulator.directory import Directory, DirectoryError
from bot.emulator.members import MemberActionError, say, send_event
from bot.emulator.state import FAULT_TYPES

control = Blueprint("wecom_emulator_control", __name__)

LIMITS = {"slow_seconds": (0, 120), "duplicate_callbacks": (1, 20)}
CJK_FONT = "fonts/NotoSansCJKsc-Regular.otf"


class ControlError(ValueError):
    """A control request the emulator refuses (answered with HTTP 400)."""


@control.errorhandler(ControlError)
@control.errorhandler(DirectoryError)
@control.errorhandler(MemberActionError)
def _refuse(error: ValueError):
    return jsonify({"error": str(error)}), 400


def _body() -> dict:
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise ControlError("body must be a JSON object")
    return data


@control.get("/")
def index():
    """Show the chat page: staff list, chat with the bot, group chats, fault switches."""
    return render_template("index.html", config=current_state().config)


@control.route("/_emulator/directory", methods=["GET", "PUT"])
def directory():
    """Show or replace departments, members, robots and app chats."""
    state = current_state()
    if request.method == "PUT":
        replacement = Directory.from_json(_body())
        with state.lock:
            state.directory = replacement
            state.revision += 1
    with state.lock:
        return jsonify(copy.deepcopy(state.directory.to_json()))


@control.route("/_emulator/faults", methods=["GET", "PUT"])
def faults():
    """Show or change the fault switches (only the keys given are changed)."""
    state = current_state()
    if request.method == "PUT":
        changes = {name: _fault_value(name, value) for name, value in _body().items()}
        with state.lock:
            state.faults.update(changes)
    with state.lock:
        return jsonify(dict(state.faults))


def _fault_value(name: str, value: object) -> object:
    if name not in FAULT_TYPES:
        raise ControlError(f"unknown fault {name!r}; known: {sorted(FAULT_TYPES)}")
    wanted = FAULT_TYPES[name]
    if isinstance(value, bool) != (bool in wanted) or not isinstance(value, wanted):
        raise ControlError(f"{name} must be {'/'.join(t.__name__ for t in wanted)}")
    if name in LIMITS:
        low, high = LIMITS[name]
        if not low <= value <= high:
            raise ControlError(f"{name} must be between {low} and {high}")
    return value


@control.route("/_emulator/config", methods=["GET", "PUT"])
def settings():
    """Show or change the adjustable settings, e.g. the bot's callback_url."""
    config = current_state().config
    if request.method == "PUT":
        for name, value in _body().items():
            wanted = ADJUSTABLE.get(name, ())
            if isinstance(value, bool) != (bool in wanted) or not isinstance(value, wanted):
                raise ControlError(f"cannot set {name!r} to {value!r}")
            setattr(config, name, value)
    return jsonify(config.public())


@control.post("/_emulator/expire-tokens")
def expire_tokens():
    """Revoke all access tokens now; the next API call gets 42001."""
    return jsonify({"expired": current_state().expire_tokens()})


@control.post("/_emulator/say")
def member_says():
    """Deliver a member's text message to the bot and report its passive reply."""
    return jsonify(say(current_state(), _body(), current_bot_socket()))


@control.route("/_emulator/bot", methods=["GET", "PUT"])
def bot_connection():
    """Read or change the long connection: the channel members use, slow acks, ignored pings."""
    socket = current_bot_socket()
    if socket is None:
        raise ControlError("this emulator plays no intelligent bot (bot_id is empty)")
    if request.method == "PUT":
        body = _body()
        if "channel" in body:
            if body["channel"] not in ("callback", "longconn"):
                raise ControlError("channel must be callback or longconn")
            socket.channel = body["channel"]
        if "ack_delay" in body:
            delay = body["ack_delay"]
            if (
                isinstance(delay, bool)
                or not isinstance(delay, int | float)
                or not 0 <= delay <= 30
            ):
                raise ControlError("ack_delay must be 0 to 30 seconds")
            socket.faults.ack_delay = float(delay)
        if "ignore_pings" in body:
            socket.faults.ignore_pings = bool(body["ignore_pings"])
        if "push_errcode" in body:
            code = body["push_errcode"]
            if isinstance(code, bool) or not isinstance(code, int):
                raise ControlError("push_errcode must be an integer (0: pushes are taken)")
            socket.faults.push_errcode = code
    return jsonify(socket.public())


@control.get("/_emulator/bot/ca.pem")
def bot_certificate():
    """Hand out the certificate of the wss:// endpoint, for the bot to trust."""
    socket = current_bot_socket()
    if socket is None:
        raise ControlError("this emulator plays no intelligent bot (bot_id is empty)")
    return socket.certificate, 200, {"Content-Type": "application/x-pem-file"}


@control.post("/_emulator/bot/drop")
def bot_drop():
    """Drop the bot's connection abruptly, as a network fault would."""
    socket = current_bot_socket()
    if socket is None:
        raise ControlError("this emulator plays no intelligent bot (bot_id is empty)")
    return jsonify({"dropped": socket.drop(), **socket.public()})


@control.post("/_emulator/event")
def member_event():
    """Deliver a member's event (enter_agent, click, template_card_event...) to the bot."""
    return jsonify(send_event(current_state(), _body(), current_bot_socket()))


@control.post("/_emulator/verify-url")
def verify_callback_url():
    """Run WeCom's GET URL verification against the bot."""
    return jsonify(verify_url(current_state()))


@control.get("/_emulator/messages")
def recorded_messages():
    """List recorded messages, filtered by userid, chatid, robot, channel and since_id."""
    state = current_state()
    since = request.args.get("since_id", type=int, default=0)
    filters = {
        k: request.args[k] for k in ("userid", "chatid", "robot", "channel") if k in request.args
    }
    with state.lock:
        found = [
            copy.deepcopy(m)
            for m in state.messages
            if m["id"] > since and all(m.get(k) == v for k, v in filters.items())
        ]
        return jsonify({"messages": found, "revision": state.revision})


@control.get("/_emulator/calls")
def recorded_calls():
    """List the API calls made (path, errcode, http_status, time), optionally for one path."""
    state = current_state()
    path = request.args.get("path")
    with state.lock:
        calls = [dict(c) for c in state.calls if path is None or c["path"] == path]
    return jsonify({"calls": calls})


@control.post("/_emulator/reset")
def reset():
    """Forget messages, calls and faults; keep the directory."""
    current_state().reset()
    return jsonify({"ok": True})


@control.get("/_emulator/media/<media_id>")
def media_file(media_id: str):
    """Serve an uploaded file to the page (images inline, files as downloads)."""
    item = current_state().find_media(media_id)
    if item is None:
        return jsonify({"error": "no such media"}), 404
    return send_media(item, attachment=False)


@control.get("/_emulator/font/cjk.otf")
def cjk_font():
    """Serve a CJK font (from the mplfonts package) for browsers that have none, e.g. CI."""
    spec = importlib.util.find_spec("mplfonts")
    locations = spec.submodule_search_locations if spec else None
    font = Path(next(iter(locations)), CJK_FONT) if locations else None
    if font is None or not font.is_file():
        return jsonify({"error": "no CJK font installed"}), 404
    return send_file(font, mimetype="font/otf", max_age=86400)
