"""The one error type of the problem ledger, carrying a Chinese message and an HTTP status."""

from __future__ import annotations


class LedgerError(ValueError):
    """A step on a finding cannot be done; the message says why (Chinese)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
