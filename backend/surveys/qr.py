"""The survey's short link and its QR code as PNG or SVG bytes (pure)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg


def survey_link(base_url: str, token: str) -> str:
    """Return the short link of a survey's mobile form."""
    return f"{base_url.rstrip('/')}/s/{token}"


def qr_png(link: str) -> bytes:
    """Return the QR code of the link as PNG bytes."""
    image = qrcode.make(link, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(link: str) -> bytes:
    """Return the QR code of the link as SVG bytes."""
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
