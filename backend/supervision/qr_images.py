"""QR codes for links printed or shown to the public: PNG, SVG and the module matrix (pure)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _qr(url: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


def qr_png(url: str) -> bytes:
    """Render the QR code of an address as PNG bytes."""
    buffer = io.BytesIO()
    _qr(url).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    """Render the QR code of an address as SVG bytes (a single path, scalable for printing)."""
    buffer = io.BytesIO()
    _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()


def qr_matrix(url: str) -> list[list[bool]]:
    """Return the module matrix (True = dark), border included, for drawing into a PDF."""
    return _qr(url).get_matrix()
