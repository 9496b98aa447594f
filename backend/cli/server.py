"""Run the WSGI app under gunicorn from Python."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from backend.ops.logs import gunicorn_log_config


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn 24+: we never use gunicornc,
            self.cfg.set("control_socket_disable", True)  # and two instances would share its path

    def load(self):
        from backend.app import create_app

        # Workers must not race to migrate: `lvzhi serve` upgraded the schema before forking.
        return create_app(migrate=False)


def _forget_worker(_server: object, worker: object) -> None:
    """Drop a finished worker's live metric values (gunicorn's child_exit hook)."""
    from backend.common.metrics import forget_worker

    forget_worker(worker.pid)  # type: ignore[attr-defined]


def run_gunicorn(
    *, host: str, port: int, workers: int, threads: int, log_format: str = "text"
) -> None:
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
            "child_exit": _forget_worker,
            "logconfig_dict": gunicorn_log_config(log_format),
        }
    ).run()
