"""The address a supervision code's QR image points to (its images: `qr_images.py`)."""

from __future__ import annotations


def public_url(base_url: str, code: str) -> str:
    """Return the public page address a code's QR image points to."""
    return f"{base_url.rstrip('/')}/q/{code}"
