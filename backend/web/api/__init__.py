"""The JSON API (v1)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from backend.ops.readiness import ping_database
from backend.web.session import request_session

blueprint = Blueprint("api", __name__)


@blueprint.get("/health")
def health():
    """Report that the app is up and the database answers."""
    ping_database(request_session())
    return jsonify(status="ok")
