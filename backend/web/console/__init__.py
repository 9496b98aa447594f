"""The administrator's console at /console: sign-in, dashboard, organisation, catalogues, entries,
review, exports and settings. Other areas add their own blueprints under /console/<area>."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("console", __name__, url_prefix="/console")

# The view modules register their routes on `blueprint`, so they are imported after it exists.
from backend.web.console import (  # noqa: E402
    admin,
    auth,
    catalogue,
    dashboard,
    entries,
    grants,
    imports,
    jobs,
    nav,
    org,
    review,
    settings,
)

nav.install(blueprint)
__all__ = [
    "admin",
    "auth",
    "blueprint",
    "catalogue",
    "dashboard",
    "entries",
    "grants",
    "imports",
    "jobs",
    "org",
    "review",
    "settings",
]
