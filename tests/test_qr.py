"""QR code images and the printable desk-card sheet."""

from __future__ import annotations

import io
import logging
import warnings
import xml.etree.ElementTree as ET

import pypdf
from PIL import Image

from backend.supervision.cards_pdf import PER_PAGE, DeskCard, desk_cards_pdf
from backend.supervision.links import public_url
from backend.supervision.qr_images import qr_matrix, qr_png, qr_svg

URL = public_url("https://lvzhi.example.gov.cn/", "AB23CD45EF")


def test_the_code_points_at_the_public_page():
    assert URL == "https://lvzhi.example.gov.cn/q/AB23CD45EF"


def test_the_png_shows_exactly_the_qr_modules():
    image = Image.open(io.BytesIO(qr_png(URL))).convert("L")
    matrix = qr_matrix(URL)
    box = image.width // len(matrix)
    assert image.width == image.height == box * len(matrix)
    for row in range(len(matrix)):
        for column in range(len(matrix)):
            pixel = image.getpixel((column * box + box // 2, row * box + box // 2))
            assert (pixel < 128) == matrix[row][column]


def test_the_svg_is_one_scalable_path():
    root = ET.fromstring(qr_svg(URL))
    assert root.tag.endswith("svg")
    assert [child for child in root.iter() if child.tag.endswith("path")]


def cards(count: int) -> list[DeskCard]:
    return [
        DeskCard("县市场监督管理局", f"李晓燕{i}", "食品经营许可窗口", URL, "AB23CD45EF")
        for i in range(count)
    ]


def test_desk_cards_fill_a4_pages_six_at_a_time_with_readable_chinese(caplog):
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING):
        warnings.simplefilter("error")
        data = desk_cards_pdf(cards(PER_PAGE + 1), title="县市场监督管理局 桌牌")
    assert not [r for r in caplog.records if "missing" in r.getMessage().lower()]
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    first = reader.pages[0].extract_text()
    assert first.count("县市场监督管理局") == PER_PAGE
    assert "李晓燕5" in first and "李晓燕6" not in first
    assert "食品经营许可窗口" in first
    assert "查看职责 · 评价服务 · 投诉建议" in first
    assert "李晓燕6" in reader.pages[1].extract_text()
