"""The survey's short link (its QR images: backend/supervision/qr_images.py)."""

from __future__ import annotations


def survey_link(base_url: str, token: str) -> str:
    """Return the short link of a survey's mobile form."""
    return f"{base_url.rstrip('/')}/s/{token}"
