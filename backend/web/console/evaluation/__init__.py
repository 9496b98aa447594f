"""Console pages for evaluation rounds (/console/evaluation): trees, rounds, unit scoring."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("console_evaluation", __name__, url_prefix="/console/evaluation")

# The pages register on `blueprint`, so they are imported after it.
from backend.web.console.evaluation import rounds, trees, units  # noqa: E402, F401
