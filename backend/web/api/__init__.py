"""The JSON API (v1)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from backend.web.session import request_session

blueprint = Blueprint("api", __name__)


@blueprint.get("/health")
def health():
    """Report that the app is up and the database answers."""
    request_session().execute(text("SELECT 1"))
    return jsonify(status="ok")
