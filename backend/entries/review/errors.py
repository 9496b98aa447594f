"""Why a review action was refused; the API maps each kind to an HTTP status."""

from __future__ import annotations


class ReviewError(Exception):
    """A refused review action, with a Chinese message for the user."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(ReviewError):
    """The input is malformed or the action does not apply to the entry's state."""


class NotAllowed(ReviewError):
    """The person may not act on this entry, department or month."""

    status = 403


class NotFound(ReviewError):
    """No such entry."""

    status = 404


class Locked(ReviewError):
    """The entry is approved or its month is closed."""

    status = 409
