"""The one error type of the evaluation area, carrying a Chinese message and an HTTP status."""

from __future__ import annotations


class EvaluationError(ValueError):
    """A request on the tree or a round cannot be done; the message says why (Chinese)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
