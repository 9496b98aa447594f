"""A printable A4 sheet of desk cards (six per page): unit, person, post, QR code, instruction."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib import pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.patches import Rectangle

from backend.fonts import register_cjk_font
from backend.qr import qr_matrix
from backend.supervision import texts

A4 = (8.27, 11.69)
COLUMNS, ROWS = 2, 3
PER_PAGE = COLUMNS * ROWS
QR_SIZE = 0.22  # of the page width


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
    buffer = io.BytesIO()
    with plt.rc_context(_pdf_rc()), PdfPages(buffer, metadata={"Title": title}) as pdf:
        for start in range(0, max(len(cards), 1), PER_PAGE):
            figure = plt.figure(figsize=A4)
            for index, card in enumerate(cards[start : start + PER_PAGE]):
                _draw_card(figure, card, index)
            pdf.savefig(figure)
            plt.close(figure)
    return buffer.getvalue()


def _pdf_rc() -> dict:
    family = register_cjk_font()
    return {"font.family": [family], "pdf.fonttype": 3, "axes.unicode_minus": False}


def _draw_card(figure, card: DeskCard, index: int) -> None:
    column, row = index % COLUMNS, index // COLUMNS
    width, height = 1 / COLUMNS, 1 / ROWS
    left, bottom = column * width, 1 - (row + 1) * height
    axes = figure.add_axes((left + 0.015, bottom + 0.01, width - 0.03, height - 0.02))
    axes.set_axis_off()
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.add_patch(Rectangle((0, 0), 1, 1, fill=False, linewidth=1.2, linestyle="--"))
    axes.text(0.5, 0.92, card.unit, ha="center", va="top", fontsize=14)
    axes.text(0.5, 0.80, card.person, ha="center", va="top", fontsize=12)
    axes.text(0.5, 0.71, card.post, ha="center", va="top", fontsize=10, color="#444444")
    qr_axes = figure.add_axes(
        (left + width / 2 - QR_SIZE / 2, bottom + height * 0.17, QR_SIZE, QR_SIZE * A4[0] / A4[1])
    )
    qr_axes.imshow(~np.array(qr_matrix(card.url)), cmap="gray", interpolation="nearest")
    qr_axes.set_axis_off()
    axes.text(0.5, 0.10, texts.CARD_INSTRUCTION, ha="center", va="center", fontsize=9)
    axes.text(0.5, 0.03, card.code, ha="center", va="center", fontsize=7, color="#777777")
