"""A printable A4 sheet of desk cards (six per page): unit, person, post, QR code, instruction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backend.common.pdf import data_url, html_pdf, template
from backend.supervision import texts
from backend.supervision.qr_images import qr_svg

COLUMNS, ROWS = 2, 3
PER_PAGE = COLUMNS * ROWS

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class DeskCard:
    """What one card shows."""

    unit: str
    person: str
    post: str
    url: str
    code: str


def desk_cards_pdf(cards: list[DeskCard], *, title: str) -> bytes:
    """Render the cards onto A4 pages and return the PDF bytes."""
    views = [_view(card) for card in cards]
    sheets = [views[start : start + PER_PAGE] for start in range(0, max(len(views), 1), PER_PAGE)]
    html = template(TEMPLATES, "desk_cards.html").render(
        title=title, sheets=sheets, instruction=texts.CARD_INSTRUCTION
    )
    return html_pdf(html)


def _view(card: DeskCard) -> dict:
    return {
        "unit": card.unit,
        "person": card.person,
        "post": card.post,
        "qr": data_url(qr_svg(card.url), "image/svg+xml"),
        "code": card.code,
    }
