"""Logging for every process: readable lines or JSON lines (LVZHI_LOG_FORMAT), secrets hidden."""

from __future__ import annotations

import logging
from types import TracebackType

from pythonjsonlogger.json import JsonFormatter

from bot.redact import install_redaction, redact

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class JsonLines(JsonFormatter):
    """One JSON object per record: time, level, logger, message (and a redacted traceback)."""

    def __init__(self) -> None:
        super().__init__(
            TEXT_FORMAT,
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def formatException(self, ei: ExcInfo) -> str:
        """Format a traceback with credentials hidden (the filter cannot reach this copy)."""
        formatted = super().formatException(ei)
        assert isinstance(formatted, str)  # a list only with exc_info_as_array, never set here
        return redact(formatted)


def configure_logging(log_format: str, *logger_names: str) -> None:
    """Log INFO and up in `log_format` ("text" or "json") on the root and named loggers."""
    logging.basicConfig(level=logging.INFO, format=TEXT_FORMAT)
    if log_format == "json":
        for name in ("", *logger_names):
            for handler in logging.getLogger(name).handlers:
                handler.setFormatter(JsonLines())
    install_redaction(*logger_names)


def gunicorn_log_config(log_format: str) -> dict:
    """Return gunicorn's `logconfig_dict`: JSON lines for its own loggers too, each line once."""
    if log_format != "json":
        return {}
    json_lines = {"()": "backend.ops.logs.JsonLines"}
    return {
        "formatters": {"generic": json_lines},
        "loggers": {
            name: {"level": "INFO", "handlers": [handler], "propagate": False}
            for name, handler in (
                ("gunicorn.error", "error_console"),
                ("gunicorn.access", "console"),
            )
        },
    }
