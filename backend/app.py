"""The Flask app factory shared by the web server, the scheduler and the CLI."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask, jsonify
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from backend.db import make_engine
from backend.migrate import upgrade_database
from backend.runtime import EXTENSION_KEY, Runtime
from backend.settings import Settings, cached_settings
from bot.crypto import CallbackCrypto


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] | None = None,
    migrate: bool = True,
) -> Flask:
    """Build the web app: callback endpoint, JSON API and pages, on an upgraded database."""
    import handlers  # the one place backend reaches handlers (design.md)

    settings = settings or cached_settings()
    engine = engine or make_engine(settings.DATABASE_URL)
    if migrate:
        upgrade_database(engine)
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.SECRET_KEY)
    app.json.ensure_ascii = False
    app.extensions[EXTENSION_KEY] = Runtime(
        settings=settings,
        engine=engine,
        crypto=CallbackCrypto(settings.WECOM_TOKEN, settings.WECOM_AES_KEY, settings.WECOM_CORP_ID),
        dispatch=handlers.dispatch,
        clock=clock or (lambda: datetime.now(settings.timezone)),
    )
    _register_blueprints(app)
    _register_error_pages(app)
    logging.basicConfig(level=logging.INFO)
    return app


def _register_blueprints(app: Flask) -> None:
    from backend import api, api_review, pages, wecom

    app.register_blueprint(wecom.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    app.register_blueprint(api_review.blueprint, url_prefix="/api/v1/review")
    app.register_blueprint(pages.blueprint)


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return jsonify(error=error.name, message=error.description), error.code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error")
        return jsonify(error="Internal Server Error", message="服务器内部错误，请稍后再试"), 500
