"""The Flask backend: settings, tables, services, analytics, console, API and CLI."""

from __future__ import annotations


def create_app(*args, **kwargs):
    """Build the web app (WSGI factory: `gunicorn 'backend:create_app()'`)."""
    from backend.app import create_app as factory

    return factory(*args, **kwargs)
