"""HTML to PDF: Jinja templates (autoescaped) laid out by WeasyPrint, the CJK font embedded.

A module's templates extend `_pdf_base.html` (A4, the font, page numbers) found here.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, Template

from backend.common.typeface import font_path, register_cjk_font

BASE_TEMPLATES = Path(__file__).resolve().parent / "templates"


def html_pdf(html: str) -> bytes:
    """Lay out HTML written from one of these templates (fonts embedded); return the PDF bytes."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    return HTML(string=html).write_pdf(font_config=FontConfiguration())


def template(folder: Path, name: str) -> Template:
    """Return a PDF template from `folder`; its context gets `font` (the CJK font's family, URL)."""
    font = {"family": register_cjk_font(), "url": font_path().as_uri()}
    return _environment(folder).get_template(name, globals={"font": font})


@cache
def _environment(folder: Path) -> Environment:
    loader = FileSystemLoader([folder, BASE_TEMPLATES])
    return Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)


def data_url(data: bytes, mime: str) -> str:
    """Return `data` as a data: URL for an <img> in a template."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
