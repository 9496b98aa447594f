"""The signed cookie that tells an anonymous visitor's browser apart (one answer per device)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, request
from itsdangerous import BadSignature, URLSafeSerializer

from backend.runtime import runtime

DEVICE_MAX_AGE = 400 * 24 * 3600  # browsers keep a cookie at most 400 days
DEVICE_ID_LENGTH = 32  # secrets.token_hex(16)


@dataclass(frozen=True)
class DeviceCookie:
    """One page family's device cookie: its name and the salt its signature uses."""

    name: str
    salt: str

    def read(self) -> str | None:
        """Return the device id this request's cookie carries, or None (absent, forged, odd)."""
        raw = request.cookies.get(self.name)
        if not raw:
            return None
        try:
            value = self._signer().loads(raw)
        except BadSignature:
            return None
        return value if isinstance(value, str) and len(value) == DEVICE_ID_LENGTH else None

    def attach(self, response: Response, device: str) -> Response:
        """Set the cookie naming `device` on the response and return it."""
        response.set_cookie(
            self.name,
            self._signer().dumps(device),
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
        return response

    def _signer(self) -> URLSafeSerializer:
        return URLSafeSerializer(runtime().settings.SECRET_KEY, salt=self.salt)
