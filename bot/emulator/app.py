"""The emulator's Flask app: its blueprints, fault injection and the call log."""

from __future__ import annotations

import time

from flask import Flask, Response, jsonify, request
from flask.json.provider import DefaultJSONProvider

from bot.emulator.calls import EXTENSION, current_state
from bot.emulator.config import EmulatorConfig
from bot.emulator.errors import ApiError
from bot.emulator.state import EmulatorState

API_PREFIX = "/cgi-bin/"
BAD_GATEWAY = "<html><body><h1>502 Bad Gateway</h1></body></html>"


def create_emulator_app(config: EmulatorConfig) -> Flask:
    """Build the emulator: WeCom API, control API, chat page; state kept on the app."""
    app = Flask(__name__, static_url_path="/_emulator/static")
    app.extensions[EXTENSION] = EmulatorState(config)
    assert isinstance(app.json, DefaultJSONProvider)  # Flask's own, unless an app replaces it
    app.json.ensure_ascii = False
    biggest = max(config.file_max_bytes, config.image_max_bytes, config.video_max_bytes)
    app.config["MAX_CONTENT_LENGTH"] = 2 * biggest + 1024 * 1024
    app.before_request(_inject_faults)
    app.after_request(_log_call)
    app.register_error_handler(ApiError, _render_api_error)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from bot.emulator.api_contacts import contacts
    from bot.emulator.api_media import media
    from bot.emulator.api_messages import messages
    from bot.emulator.approvals import approvals
    from bot.emulator.control import control

    for blueprint in (messages, media, contacts, approvals, control):
        app.register_blueprint(blueprint)


def _render_api_error(error: ApiError):
    return jsonify(error.body())


def _inject_faults() -> Response | None:
    if not request.path.startswith(API_PREFIX):
        return None
    state = current_state()
    with state.lock:
        faults = dict(state.faults)
    if faults["api_down"]:  # only reached when not served by EmulatorServer's handler
        return Response("API down", status=503)
    if faults["slow_seconds"] > 0:
        time.sleep(faults["slow_seconds"])
    if faults["http_5xx"]:
        return Response(BAD_GATEWAY, status=502, mimetype="text/html")
    if faults["busy"]:
        return jsonify(ApiError(-1).body())
    refusal = _refusal(faults, request.path.removeprefix(API_PREFIX))
    return jsonify(refusal.body()) if refusal else None


def _refusal(faults: dict, path: str) -> ApiError | None:
    """Return the error a misconfigured app gets for this API path, if a switch says so."""
    if path == "gettoken":
        if faults["wrong_corp_id"]:
            return ApiError(40013)
        return ApiError(40001, "invalid corpsecret") if faults["wrong_secret"] else None
    if path.startswith("webhook/"):  # group robots answer by key, from any address
        return None
    if faults["untrusted_ip"]:
        return ApiError(60020, from_ip=request.remote_addr or "")
    if faults["api_forbidden"]:
        return ApiError(48002)
    if faults["not_visible_to_root"] and path.startswith("appchat/"):
        return ApiError(60011)
    return None


def _log_call(response: Response) -> Response:
    if request.path.startswith(API_PREFIX):
        errcode = None
        if response.is_json:
            errcode = (response.get_json(silent=True) or {}).get("errcode")
        elif response.status_code == 200:
            errcode = 0
        current_state().log_call(request.path, errcode, response.status_code)
    return response
