"""WeCom API: temporary media and the group-robot webhook."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import mimetypes
import time

from flask import Blueprint, request, send_file

from bot.emulator.calls import check_token, current_state, json_body
from bot.emulator.errors import ApiError, ok
from bot.emulator.payloads import articles, msgtype_key, section
from bot.emulator.state import EmulatorState, Media

media = Blueprint("wecom_media", __name__, url_prefix="/cgi-bin")

SIZE_ERRORS = {"image": 40009, "voice": 40006, "video": 40011, "file": 40006}
WEBHOOK_TEXT_LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
WEBHOOK_IMAGE_LIMIT = 2 * 1024 * 1024
WEBHOOK_CARDS = ("text_notice", "news_notice")


def _limit(state: EmulatorState, kind: str) -> int:
    config = state.config
    return {
        "image": config.image_max_bytes,
        "voice": config.voice_max_bytes,
        "video": config.video_max_bytes,
        "file": config.file_max_bytes,
    }[kind]


def _store_upload(state: EmulatorState, kind: str, owner: str) -> Media:
    """Check the multipart field 'media' against the size rules and keep it."""
    upload = request.files.get("media")
    if upload is None:
        raise ApiError(44001, "multipart field 'media' is missing")
    data = upload.read()
    limit = _limit(state, kind)
    if not 5 < len(data) <= limit:
        raise ApiError(SIZE_ERRORS[kind], f"{len(data)} bytes, allowed 6..{limit}")
    filename = upload.filename or f"{kind}.bin"
    content_type = upload.mimetype or mimetypes.guess_type(filename)[0]
    return state.store_media(
        kind, data, filename, content_type or "application/octet-stream", owner
    )


def _uploaded(item: Media) -> dict:
    return ok(type=item.kind, media_id=item.media_id, created_at=str(item.created_at))


@media.post("/media/upload")
def media_upload():
    """Upload a temporary image, voice, video or file (valid three days)."""
    check_token()
    kind = request.args.get("type", "")
    if kind not in SIZE_ERRORS:
        raise ApiError(40004, f"type {kind!r}")
    return _uploaded(_store_upload(current_state(), kind, owner="app"))


@media.get("/media/get")
def media_get():
    """Download a temporary media file."""
    check_token()
    item = current_state().find_media(request.args.get("media_id", ""), owner="app")
    if item is None:
        raise ApiError(40007)
    return send_media(item, attachment=True)


def send_media(item: Media, *, attachment: bool):
    """Answer with a media file's bytes."""
    return send_file(
        io.BytesIO(item.data),
        mimetype=item.content_type,
        as_attachment=attachment,
        download_name=item.filename,
    )


def _robot_key() -> str:
    key = request.args.get("key", "")
    state = current_state()
    with state.lock:
        if key not in state.directory.robots:
            raise ApiError(93000)
    return key


@media.post("/webhook/upload_media")
def webhook_upload_media():
    """Upload a file or voice for one group robot."""
    key = _robot_key()
    kind = request.args.get("type", "")
    if kind not in ("file", "voice"):
        raise ApiError(40004, f"type {kind!r}")
    return _uploaded(_store_upload(current_state(), kind, owner=f"robot:{key}"))


@media.post("/webhook/send")
def webhook_send():
    """Post a message into a robot's group chat (at most 20 a minute per robot)."""
    key, state = _robot_key(), current_state()
    payload = _webhook_payload(state, json_body(), key)
    now = time.time()
    with state.lock:
        if state.robot_window.count(key, now) >= state.config.webhook_limit_per_minute:
            raise ApiError(45009, "robot may send 20 messages a minute")
        state.robot_window.add(key, now)
        state.record(direction="bot", channel="webhook", robot=key, **payload)
    return ok()


def _webhook_payload(state: EmulatorState, body: dict, key: str) -> dict:
    msgtype = body.get("msgtype")
    if msgtype in WEBHOOK_TEXT_LIMITS:
        return _webhook_text(body, msgtype)
    if msgtype == "image":
        return {"msgtype": "image", "media": _webhook_image(state, section(body, "image"), key)}
    if msgtype == "news":
        return {"msgtype": "news", "articles": articles(section(body, "news"))}
    if msgtype in ("file", "voice"):
        media_id = str(section(body, msgtype).get("media_id") or "")
        item = state.find_media(media_id, owner=f"robot:{key}")
        if item is None:
            raise ApiError(40007, "media_id must come from this robot's upload_media")
        return {"msgtype": msgtype, "media": item.link()}
    if msgtype == "template_card":
        card = section(body, "template_card")
        if card.get("card_type") not in WEBHOOK_CARDS:
            raise ApiError(40058, "robots send only text_notice and news_notice cards")
        return {"msgtype": msgtype, "card": card}
    raise ApiError(40008, f"msgtype {msgtype!r}")


def _webhook_text(body: dict, msgtype: str) -> dict:
    value = section(body, msgtype)
    content = value.get("content")
    if not isinstance(content, str) or not content:
        raise ApiError(44004)
    limit = WEBHOOK_TEXT_LIMITS[msgtype]
    if len(content.encode("utf-8")) > limit:
        raise ApiError(40058, f"{msgtype}.content exceed max length {limit}")
    mentions = {k: value[k] for k in ("mentioned_list", "mentioned_mobile_list") if k in value}
    return {"msgtype": msgtype, msgtype_key(msgtype): content, **mentions}


def _webhook_image(state: EmulatorState, value: dict, key: str) -> dict:
    try:
        data = base64.b64decode(str(value.get("base64") or ""), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(40058, "image.base64 is not valid base64") from exc
    if not data or len(data) > WEBHOOK_IMAGE_LIMIT:
        raise ApiError(40009, f"{len(data)} bytes, allowed 1..{WEBHOOK_IMAGE_LIMIT}")
    digest = hashlib.md5(data).hexdigest()  # noqa: S324 - WeCom's own integrity check
    if digest != str(value.get("md5") or "").lower():
        raise ApiError(40058, "image md5 not match")
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    name = "image.png" if kind == "image/png" else "image.jpg"
    return state.store_media("image", data, name, kind, owner=f"robot:{key}").link()
