"""Random codes for QR codes and work-order tickets: unambiguous capitals and digits."""

from __future__ import annotations

import secrets

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_token(length: int = 10) -> str:
    """Return a random code (32 symbols: 10 characters carry 50 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
