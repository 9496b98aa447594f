"""Probes and metrics for a service manager, a load balancer and Prometheus.

`/livez` (the process answers), `/readyz` (it can do its work) and `/metrics` (every worker's and
the scheduler's counters, plus the backlogs read from the database at scrape time).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from functools import lru_cache

from flask import Blueprint, Response, abort, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from backend.common.metrics import multiprocess_directory
from backend.ops.readiness import backlog_figures, readiness_checks
from backend.runtime import runtime
from backend.web.session import request_session

blueprint = Blueprint("health", __name__)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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


@blueprint.get("/metrics")
def metrics() -> Response:
    """Answer Prometheus, only to the networks in LVZHI_METRICS_ALLOW (404 to anyone else)."""
    if not _allowed(request.remote_addr, runtime().settings.LVZHI_METRICS_ALLOW):
        abort(404)
    registry = CollectorRegistry()
    directory = multiprocess_directory()
    if directory is not None:
        MultiProcessCollector(registry, path=str(directory))
    else:
        registry.register(_ThisProcess())
    registry.register(_Backlog())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class _ThisProcess:
    """This process's own metrics (no shared folder: an app built in-process)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class _Backlog:
    """Backlogs read from the database when Prometheus scrapes: they belong to no process."""

    def collect(self) -> Iterator[Metric]:
        figures = backlog_figures(request_session())
        yield GaugeMetricFamily(
            "lvzhi_outbox_pending", "Messages waiting to be sent to WeCom", figures.outbox_pending
        )
        yield GaugeMetricFamily(
            "lvzhi_outbox_oldest_due_seconds",
            "How long the longest-waiting due message has waited",
            figures.outbox_oldest_due_seconds,
        )
        yield GaugeMetricFamily(
            "lvzhi_jobs_queued", "Background tasks waiting for the job runner", figures.jobs_queued
        )


def _allowed(address: str | None, allow: str) -> bool:
    """Tell whether the client address lies in one of the comma-separated networks."""
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(client in network for network in _networks(allow))


@lru_cache(maxsize=4)
def _networks(allow: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part.strip()) for part in allow.split(",") if part.strip())
