"""Guards on every web request: bounded bodies (413 before reading) and security headers.

Every request body is capped at LVZHI_MAX_REQUEST_BYTES; a view marked `@accepts_upload` gets
LVZHI_UPLOAD_MAX_BYTES instead. The cap is checked against Content-Length before anything reads
the body; a streamed (chunked) body is read up to the cap at once, and refused if it fills it
(Werkzeug would otherwise cut a streamed form at the cap without saying so). Every response
gets nosniff, no framing, a same-origin referrer and HSTS under https; HTML pages also get a
Content-Security-Policy (our own scripts, styles, images and the web font only: templates carry
no inline script or style). The WeCom callback keeps its own smaller body limit and headers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Request, Response, abort, current_app, jsonify, render_template, request
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
UPLOAD_LIMIT_KEY = "LVZHI_UPLOAD_BODY_BYTES"


def accepts_upload(view: View) -> View:
    """Mark a view that takes a file upload: its body may reach LVZHI_UPLOAD_MAX_BYTES."""
    view.accepts_upload = True  # type: ignore[attr-defined]
    return view


class BoundedRequest(Request):
    """A request whose body limit is the upload limit on `@accepts_upload` views, from the start.

    The limit belongs to the request itself, so whatever reads the body first (CSRF, an input
    check, the view) reads it under the right limit.
    """

    @property
    def max_content_length(self) -> int | None:
        """Return this request's body limit: set explicitly, the upload limit, or the default."""
        if self._max_content_length is not None:
            return self._max_content_length
        view = current_app.view_functions.get(self.endpoint or "") if current_app else None
        if getattr(view, "accepts_upload", False):
            return current_app.config[UPLOAD_LIMIT_KEY]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def init_web_guards(app: Flask, settings: Settings) -> None:
    """Bound request bodies (refused first of all) and add security headers."""
    app.request_class = BoundedRequest
    app.config.update(
        MAX_CONTENT_LENGTH=settings.LVZHI_MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=FORM_FIELD_BYTES,
        MAX_FORM_PARTS=FORM_PARTS,
    )
    app.config[UPLOAD_LIMIT_KEY] = settings.LVZHI_UPLOAD_MAX_BYTES + UPLOAD_ENVELOPE_BYTES
    https = settings.PUBLIC_BASE_URL.startswith("https://")
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_large_body)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        if request.blueprint not in UNGUARDED_BLUEPRINTS:
            add_security_headers(response, https=https)
        return response

    app.register_error_handler(413, _too_large)


def refuse_large_body() -> None:
    """Answer 413 before anything reads a body that is, or streams, past the request's limit."""
    limit = request.max_content_length
    if limit is None or request.blueprint in UNGUARDED_BLUEPRINTS:
        return
    if (request.content_length or 0) > limit:
        abort(413)
    if request.content_length is None and _is_chunked() and _streamed_length() >= limit:
        abort(413)


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
