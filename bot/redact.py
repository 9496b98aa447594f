"""Keep WeCom tokens and secrets out of logs: URLs carry them in their query strings."""

from __future__ import annotations

import logging
import re

# Query parameters whose values are credentials: API tokens, the corp secret, webhook keys,
# OAuth codes. Requests' exception messages quote whole URLs, so errors carry them too.
_SECRET_PARAMETER = re.compile(
    r"(?i)\b(access_token|corpsecret|secret|key|code|debug_token|token)=([^&\s'\"<>]+)"
)
HIDDEN = "***"


def redact(text: str) -> str:
    """Return `text` with the values of credential parameters replaced by ***."""
    return _SECRET_PARAMETER.sub(lambda match: f"{match.group(1)}={HIDDEN}", text)


class RedactSecrets(logging.Filter):
    """A handler filter that redacts the message and any traceback of every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_redaction(*logger_names: str) -> None:
    """Put `RedactSecrets` on the handlers of the root and named loggers and the last resort."""
    handlers = [
        handler for name in ("", *logger_names) for handler in logging.getLogger(name).handlers
    ]
    # With no handler configured (a CLI verb), warnings go to `logging.lastResort`.
    for handler in [*handlers, logging.lastResort]:
        if handler and not any(isinstance(each, RedactSecrets) for each in handler.filters):
            handler.addFilter(RedactSecrets())
