"""`lvzhi supervision …`: codes, desk cards and the ratings export from the shell."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pypdf
import pytest
from click.testing import CliRunner
from sqlmodel import Session

from backend.cli import main
from backend.supervision import service as supervision
from tests.support.supervision import add_codes


@pytest.fixture
def county(cli_county):
    return cli_county


def test_codes_are_issued_once_and_listed(county):
    first = CliRunner().invoke(main, ["supervision", "codes"])
    assert first.exit_code == 0, first.output
    assert "新生成二维码 3 个" in first.output and "县民政局\t单位码\thttp" in first.output
    again = CliRunner().invoke(main, ["supervision", "codes"])
    assert "新生成二维码 0 个" in again.output


def test_desk_cards_and_ratings_export(county, tmp_path):
    with Session(county) as session:
        codes = add_codes(session)
        answers = supervision.check_rating(
            supervision.rating_scale(session), level="basic", tags=[], comment="@SUM(A1)"
        )
        now = datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
        code = supervision.find_code(session, codes["alice"])
        supervision.submit_rating(session, code=code, device="x" * 32, answers=answers, now=now)
        session.commit()
    cards = CliRunner().invoke(main, ["supervision", "cards", "县市场监督管理局", "-o", "c.pdf"])
    assert cards.exit_code == 0 and "2 张桌牌" in cards.output, cards.output
    text = pypdf.PdfReader(tmp_path / "c.pdf").pages[0].extract_text()
    assert "李晓燕" in text and "食品经营许可窗口" in text and "本单位服务窗口" in text
    missing = CliRunner().invoke(main, ["supervision", "cards", "县教育局", "-o", "x.pdf"])
    assert missing.exit_code != 0 and "找不到部门 县教育局" in missing.output
    export = CliRunner().invoke(
        main, ["supervision", "export", "-o", "r.xlsx", "--start", "2026-11-01"]
    )
    assert export.exit_code == 0, export.output
    sheet = openpyxl.load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes())).active
    assert sheet["G2"].value == "@SUM(A1)" and sheet["G2"].data_type == "s"
    assert sheet["C2"].value == "县市场监督管理局" and sheet["D2"].value == "李晓燕"
