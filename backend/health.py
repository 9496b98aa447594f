"""Probes for a service manager or a load balancer: `/livez` (the process) and `/readyz`."""

from __future__ import annotations

from flask import Blueprint, jsonify

from backend.readiness import readiness_checks
from backend.runtime import runtime
from backend.web_db import request_session

blueprint = Blueprint("health", __name__)


@blueprint.get("/livez")
def livez():
    """Answer 200 while the process serves requests; touches nothing else."""
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():
    """Answer 200 when every readiness check passes, else 503; each check is listed."""
    limit = runtime().settings.LVZHI_READY_OUTBOX_MAX_AGE_SECONDS
    checks = readiness_checks(request_session, outbox_max_age_seconds=limit)
    ready = all(check.ok for check in checks)
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
    }
    return jsonify(body), 200 if ready else 503
