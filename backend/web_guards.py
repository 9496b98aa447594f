"""Guards on every web request: bounded bodies (413 before reading) and security headers.

Every request body is capped at LVZHI_MAX_REQUEST_BYTES; a view marked `@accepts_upload` gets
LVZHI_UPLOAD_MAX_BYTES instead. The cap is checked against Content-Length before anything reads
the body; a streamed (chunked) body is read up to the cap at once, and refused if it fills it
(Werkzeug would otherwise cut a streamed form at the cap without saying so). Pages and JSON get
Content-Security-Policy (our own scripts, styles, images and the web font only; templates carry
no inline script or style), nosniff, no framing, a same-origin referrer and HSTS under https.
The WeCom callback keeps its own smaller body limit and plain headers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, abort, jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from backend.settings import Settings

View = TypeVar("View", bound=Callable)
MEGABYTE = 1024 * 1024
FORM_FIELD_BYTES = 256 * 1024  # one non-file form field
FORM_PARTS = 1000  # fields and files in one form
UPLOAD_ENVELOPE_BYTES = 64 * 1024  # multipart boundaries and the fields sent with the file
UNGUARDED_BLUEPRINTS = {"wecom"}  # the signed XML callback: its own limit, no page headers
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
HSTS = "max-age=31536000"


def accepts_upload(view: View) -> View:
    """Mark a view that takes a file upload: its body may reach LVZHI_UPLOAD_MAX_BYTES."""
    view.accepts_upload = True  # type: ignore[attr-defined]
    return view


def init_web_guards(app: Flask, settings: Settings) -> None:
    """Bound request bodies and add security headers (call before CSRF and the limiter)."""
    app.config.update(
        MAX_CONTENT_LENGTH=settings.LVZHI_MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=FORM_FIELD_BYTES,
        MAX_FORM_PARTS=FORM_PARTS,
    )
    upload_limit = settings.LVZHI_UPLOAD_MAX_BYTES + UPLOAD_ENVELOPE_BYTES
    https = settings.PUBLIC_BASE_URL.startswith("https://")

    @app.before_request
    def _bound_body() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "accepts_upload", False):
            request.max_content_length = upload_limit
        limit = request.max_content_length
        if limit is None or request.blueprint in UNGUARDED_BLUEPRINTS:
            return
        if (request.content_length or 0) > limit:
            abort(413)
        if request.content_length is None and _is_chunked() and _streamed_length() >= limit:
            abort(413)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        if request.blueprint not in UNGUARDED_BLUEPRINTS:
            add_security_headers(response, https=https)
        return response

    app.register_error_handler(413, _too_large)


def _is_chunked() -> bool:
    """Tell whether the body is streamed without a length (Transfer-Encoding: chunked)."""
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _streamed_length() -> int:
    """Read a streamed body now (its stream stops at the cap); views get it from the cache."""
    return len(request.get_data(cache=True))


def add_security_headers(response: Response, *, https: bool) -> None:
    """Set the security headers on a response (CSP only on HTML pages)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if https:
        headers.setdefault("Strict-Transport-Security", HSTS)


def _too_large(error: RequestEntityTooLarge):
    """Answer 413 in Chinese: an HTML page in the console, JSON elsewhere."""
    message = error.description
    if message == RequestEntityTooLarge.description:  # Werkzeug's own words: say it in Chinese
        limit = request.max_content_length or 0
        message = f"提交的内容过大（上限 {_size(limit)}），请减小后重试"
    if request.path.startswith("/console"):
        page = render_template("console/error.html", code=413, title="内容过大", message=message)
        return page, 413
    return jsonify(error="Content Too Large", message=message), 413


def _size(limit: int) -> str:
    """Say a byte count the way people read it: 1 MB, 30 MB, 512 KB."""
    if limit >= MEGABYTE:
        return f"{limit // MEGABYTE} MB"
    return f"{max(limit // 1024, 1)} KB"
