"""Run the WSGI app under gunicorn from Python."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        from backend.app import create_app

        # Workers must not race to migrate: `lvzhi serve` upgraded the schema before forking.
        return create_app(migrate=False)


def run_gunicorn(*, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the app on host:port with gunicorn's threaded workers until stopped."""
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": "-",
            "limit_request_line": 8190,
        }
    ).run()
