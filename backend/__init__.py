"""The backend: wiring at this level, then roles (web, cli, ops) and areas (org, entries, …).

The layout is described in README.md ("目录结构" / "Layout"); pyproject.toml's import-linter
contracts say who may import whom.
"""

from __future__ import annotations


def create_app(*args, **kwargs):
    """Build the web app (WSGI factory: `gunicorn 'backend:create_app()'`)."""
    from backend.app import create_app as factory

    return factory(*args, **kwargs)
