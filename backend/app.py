"""The Flask app factory: the web app (callback, console, API, public pages) on one runtime."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from backend.migrate import upgrade_database
from backend.ops.logs import configure_logging
from backend.runtime import EXTENSION_KEY, build_runtime
from backend.settings import Settings, cached_settings
from backend.web.guards import init_web_guards
from backend.web.inputs import BoundedIntegerConverter, refuse_nul_characters
from backend.web.session import init_request_sessions


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] | None = None,
    migrate: bool = True,
) -> Flask:
    """Build the web app: callback endpoint, JSON API and pages, on an upgraded database."""
    settings = settings or cached_settings()
    # The scheduler process checkpoints SQLite's WAL; the web server never waits for it.
    runtime = build_runtime(settings, engine=engine, clock=clock, checkpoints=False)
    if migrate:
        upgrade_database(runtime.engine)
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route: big ids 404
    app.before_request(refuse_nul_characters)
    app.config.update(SECRET_KEY=settings.SECRET_KEY)
    assert isinstance(app.json, DefaultJSONProvider)  # Flask's own, unless an app replaces it
    app.json.ensure_ascii = False
    app.extensions[EXTENSION_KEY] = runtime
    init_request_sessions(app)
    _register_blueprints(app)
    init_web_guards(app, settings)  # bodies bounded (413) before anything reads them
    _init_web_security(app, settings)
    _register_error_pages(app)
    configure_logging(settings.LVZHI_LOG_FORMAT, "gunicorn.error", "gunicorn.access")
    return app


def _register_blueprints(app: Flask) -> None:
    from backend.web import api, console, health, pages, wecom
    from backend.web.api import review as api_review
    from backend.web.console import absences as console_absences
    from backend.web.console import evaluation as console_evaluation
    from backend.web.console import evaluation_results as console_evaluation_results
    from backend.web.console import ledger as console_ledger
    from backend.web.console import reports as console_reports
    from backend.web.console import schedule as console_schedule
    from backend.web.console import staffing as console_staffing
    from backend.web.console import supervision as console_supervision
    from backend.web.console import surveys as console_surveys
    from backend.web.public import supervision as public_supervision
    from backend.web.public import surveys as public_surveys

    app.register_blueprint(wecom.blueprint)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    app.register_blueprint(api_review.blueprint, url_prefix="/api/v1/review")
    app.register_blueprint(pages.blueprint)
    for area in (
        console,
        console_reports,
        console_schedule,
        console_absences,
        console_surveys,
        console_supervision,
        console_staffing,
        console_evaluation,
        console_evaluation_results,
        console_ledger,
    ):
        app.register_blueprint(area.blueprint)
    for public in (public_surveys, public_supervision):
        app.register_blueprint(public.blueprint)


def _init_web_security(app: Flask, settings: Settings) -> None:
    """CSRF on every form, hardened session cookies and the shared rate limiter."""
    from flask_wtf.csrf import CSRFProtect

    from backend.web.limits import init_limiter

    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.PUBLIC_BASE_URL.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=8 * 3600,
    )
    csrf = CSRFProtect(app)
    for name, blueprint in app.blueprints.items():
        if name == "wecom" or name.startswith("api"):  # signed callbacks, bearer-token JSON API
            csrf.exempt(blueprint)
    init_limiter(app, settings)


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if request.path.startswith("/console"):
            return _console_error_page(error)
        return jsonify(error=error.name, message=error.description), error.code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error")
        return jsonify(error="Internal Server Error", message="服务器内部错误，请稍后再试"), 500


def _console_error_page(error: HTTPException):
    titles = {400: "请求有误", 401: "请先登录", 403: "无权访问", 404: "找不到页面"}
    titles[429] = "操作过于频繁"
    message = error.description
    if error.code == 400 and "CSRF" in str(message):
        message = "页面已过期，请刷新后重试"
    title = titles.get(error.code or 500, error.name)
    page = render_template("console/error.html", code=error.code, title=title, message=message)
    return page, error.code
