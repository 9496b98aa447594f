"""Ratings to Excel through the one writer: bold frozen header, filters, widths, safe text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import tzinfo

from backend.excel.writer import Book, Column
from backend.supervision import texts
from backend.supervision.queries import RatingRow

COLUMNS = [
    Column("编号", 8, "integer"),
    Column("评价时间", 18, "datetime", number_format="yyyy-mm-dd hh:mm"),
    Column("单位", 24),
    Column("工作人员", 10),
    Column("评价等级", 10),
    Column("评价理由", 28),
    Column("留言", 48),
    Column("类型", 10),
    Column("工单号", 14),
]


def ratings_xlsx(rows: Iterable[RatingRow], *, zone: tzinfo) -> bytes:
    """Write the ratings into one sheet and return the workbook bytes."""
    book = Book()
    book.table("评价", COLUMNS, _rows(rows, zone))
    return book.getvalue()


def _rows(rows: Iterable[RatingRow], zone: tzinfo) -> Iterator[list]:
    for row in rows:
        yield [
            row.id,
            row.created_at.astimezone(zone).replace(tzinfo=None),
            row.department,
            row.person,
            texts.LEVEL_LABELS[row.level],
            row.tags,
            row.comment,
            "再次评价" if row.followup else "首次评价",
            row.ticket or "",
        ]
