"""The JSON API (v1)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlmodel import Session

from backend.runtime import runtime

blueprint = Blueprint("api", __name__)


@blueprint.get("/health")
def health():
    """Report that the app is up and the database answers."""
    with Session(runtime().engine) as session:
        session.exec(text("SELECT 1"))
    return jsonify(status="ok")
