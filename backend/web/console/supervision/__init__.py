"""Console pages for QR supervision (/console/supervision): ratings, work orders, QR codes."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("console_supervision", __name__, url_prefix="/console/supervision")

# The pages register on `blueprint`, so they are imported after it.
from backend.web.console.supervision import codes, ratings  # noqa: E402, F401
