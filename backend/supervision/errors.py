"""The one error type of QR supervision, carrying a Chinese message and an HTTP status."""

from __future__ import annotations


class SupervisionError(ValueError):
    """A visitor's or an official's request cannot be done; the message says why (Chinese)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
