"""Output data (办件数据) import: each unit's cases in a period, as another system reports them.

Rows are keyed by (unit, source, period): importing the same key again replaces its figures, so
a re-import never duplicates. Every row is validated first; nothing is written unless all pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from backend.excel import importer, spec
from backend.excel.importer import Fail, ParsedRow, ParsedSheet
from backend.excel.reader import MAX_ROWS, ImportReport
from backend.excel.spec import Column, Spec
from backend.models import utcnow
from backend.models.staffing import OUTPUT_SOURCE_LABELS, OutputRecord, OutputSource
from backend.org.roster_import import department_index

SOURCE_BY_LABEL = {label: source for source, label in OUTPUT_SOURCE_LABELS.items()} | {
    "12345": OutputSource.HOTLINE,
    "热线": OutputSource.HOTLINE,
    "其他": OutputSource.OTHER,
    **{source.value: source for source in OutputSource},
}
UNIT, START, END, CASES, ON_TIME = "单位", "开始日期", "结束日期", "办件量", "按时办结量"
DATE_HINT = "日期格式应为 YYYY-MM-DD，如 2025-01-01"

OUTPUT_SPEC = Spec(
    "output",
    (
        Column(
            UNIT,
            "unit",
            required=True,
            example="县民政局",
            width=24,
            note="部门或事业单位全称（或简称），须已在“组织”中存在",
            aliases=("部门",),
        ),
        Column(
            START,
            "start",
            spec.date_cell(DATE_HINT),
            required=True,
            example="2025-01-01",
            width=12,
            note="统计期间的第一天，如 2025-01-01",
        ),
        Column(
            END,
            "end",
            spec.date_cell(DATE_HINT),
            required=True,
            example="2025-12-31",
            width=12,
            note="统计期间的最后一天，不早于开始日期",
        ),
        Column(
            "来源",
            "source",
            spec.choice_cell(SOURCE_BY_LABEL),
            required=True,
            example="政务服务",
            width=14,
            choices=tuple(OUTPUT_SOURCE_LABELS.values()),
            note="、".join(OUTPUT_SOURCE_LABELS.values()),
        ),
        Column(
            CASES,
            "cases",
            spec.count_cell(),
            required=True,
            example=1200,
            width=10,
            note="期间内办理的件数，不小于 0 的整数",
        ),
        Column(
            ON_TIME,
            "on_time",
            spec.count_cell(),
            example=1180,
            width=12,
            note="按时办结的件数，不超过办件量，可留空",
        ),
        Column(
            "满意度",
            "satisfaction",
            spec.percent_cell(),
            example=98.5,
            width=10,
            note="满意率（%），0–100 的数，如 98.5，可留空",
        ),
    ),
    filename="办件数据导入模板.xlsx",
    sheet="办件数据",
)


@dataclass(frozen=True)
class OutputRow:
    """One validated output row."""

    number: int
    department_id: int
    source: OutputSource
    start: date
    end: date
    cases: int
    on_time: int | None
    satisfaction: float | None

    @property
    def key(self) -> tuple[int, str, date, date]:
        """The unique key of the figure: unit, source, period."""
        return (self.department_id, self.source.value, self.start, self.end)


def read_output(data: bytes, *, max_rows: int = MAX_ROWS) -> ParsedSheet:
    """Parse the uploaded output data (no database); raise WorkbookError when unreadable."""
    return importer.read_sheet(data, OUTPUT_SPEC, max_rows=max_rows)


def validate_output(session: Session, parsed: ParsedSheet) -> tuple[list[OutputRow], ImportReport]:
    """Check every row against the units (a read) and its own figures."""
    units = department_index(session)
    seen: dict[tuple, int] = {}
    return importer.validate(parsed, lambda row, fail: _check(row, fail, units, seen))


def import_output(session: Session, data: bytes) -> ImportReport:
    """Validate every row; when all pass, add or replace each unit's figure for its period."""
    valid, report = validate_output(session, read_output(data))
    if not report.errors:
        write_output(session, valid, report)
    return report


def _check(row: ParsedRow, fail: Fail, units: dict[str, int], seen: dict) -> OutputRow | None:
    """Check a row's unit, period and figures, and that its key is not listed twice."""
    problems = _problems(row.values, units)
    for column, reason in problems:
        fail(column, reason)
    if problems or row.failed:
        return None
    values = row.values
    found = OutputRow(
        row.number,
        units[values["unit"]],
        values["source"],
        values["start"],
        values["end"],
        values["cases"],
        values["on_time"],
        values["satisfaction"],
    )
    if found.key in seen:
        fail(UNIT, f"与第 {seen[found.key]} 行的单位、来源和期间重复，请只保留一行")
        return None
    seen[found.key] = row.number
    return found


def _problems(values: dict[str, Any], units: dict[str, int]) -> list[tuple[str, str]]:
    """Return (column, reason) for an unknown unit, a reversed period, more on time than cases."""
    found = []
    name, start, end = values.get("unit"), values.get("start"), values.get("end")
    cases, on_time = values.get("cases"), values.get("on_time")
    if name and name not in units:
        found.append((UNIT, f"找不到单位“{name}”，请填写“组织”中已有的部门全称或简称"))
    if start and end and end < start:
        found.append((END, f"结束日期 {end} 早于开始日期 {start}，应不早于开始日期"))
    if cases is not None and on_time is not None and on_time > cases:
        found.append((ON_TIME, f"按时办结量 {on_time} 大于办件量 {cases}，应不超过办件量"))
    return found


def write_output(session: Session, rows: list[OutputRow], report: ImportReport) -> None:
    """Add or replace the figures of these rows (idempotent: a second run changes nothing)."""
    key = tuple_(
        col(OutputRecord.department_id),
        col(OutputRecord.source),
        col(OutputRecord.period_start),
        col(OutputRecord.period_end),
    )
    stmt = select(OutputRecord).where(key.in_([row.key for row in rows]))
    known = {
        (r.department_id, str(r.source), r.period_start, r.period_end): r
        for r in session.exec(stmt)
    }
    for row in rows:
        _apply(session, row, known.get(row.key), report)
    session.flush()


def _apply(session: Session, row: OutputRow, record: OutputRecord | None, report) -> None:
    wanted: dict[str, Any] = {
        "cases": row.cases,
        "on_time": row.on_time,
        "satisfaction": row.satisfaction,
    }
    if record is None:
        session.add(
            OutputRecord(
                department_id=row.department_id,
                source=row.source,
                period_start=row.start,
                period_end=row.end,
                **wanted,
            )
        )
        report.created += 1
        return
    changed = {k: v for k, v in wanted.items() if getattr(record, k) != v}
    for name, value in changed.items():
        setattr(record, name, value)
    if changed:
        record.imported_at = utcnow()
    report.updated += bool(changed)
    report.unchanged += not changed
