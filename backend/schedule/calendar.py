"""The working-day calendar: chinesecalendar plus the administrator's override table."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from backend.excel import importer, spec
from backend.excel.importer import Fail, ParsedRow
from backend.excel.reader import WorkbookError, text
from backend.excel.spec import Column, Spec
from backend.models import CalendarOverride, utcnow
from backend.schedule.workdays import WorkCalendar

log = logging.getLogger(__name__)

WORKDAY_WORDS = {"班", "上班", "工作日", "补班", "调休上班", "workday", "1", "是"}
HOLIDAY_WORDS = {"休", "放假", "休息", "假", "节假日", "假日", "holiday", "0", "否"}
MAX_IMPORT_ROWS = 1000
MAX_ERRORS_LISTED = 20
KINDS = {word: True for word in WORKDAY_WORDS} | {word: False for word in HOLIDAY_WORDS}

CALENDAR_SPEC = Spec(
    "calendar",
    (
        Column(
            "日期",
            "day",
            spec.date_cell("“{value}”无法识别，请写成2027-01-01"),
            required=True,
            example="2027-01-01",
            width=14,
            note="每行一个日期，如 2027-01-01",
        ),
        Column(
            "类型",
            "is_workday",
            required=True,
            example="放假",
            width=10,
            choices=("放假", "上班"),
            parse=spec.choice_cell(KINDS, lambda raw, _: f"“{raw}”无法识别，请填“放假”或“上班”"),
            aliases=("放假/上班", "上班/放假", "放假或上班", "类别", "安排"),
            note="放假（休息日）或上班（调休上班的工作日）",
        ),
        Column(
            "说明",
            "note",
            lambda value: text(value)[:100],
            example="元旦",
            width=30,
            default="",
            aliases=("备注", "节日", "名称"),
            note="选填，最多 100 字，如“春节调休”",
        ),
    ),
    filename="工作日历导入模板.xlsx",
    sheet="放假安排",
    blank="不能为空",
)


class CalendarError(ValueError):
    """An override or an imported list the calendar refuses; the message says why."""


@dataclass
class ImportResult:
    """What importing a holiday list did."""

    saved: int = 0
    years: set[int] = field(default_factory=set)


_OVERRIDES = select(col(CalendarOverride.day), col(CalendarOverride.is_workday))  # built once


def load_calendar(session: Session) -> WorkCalendar:
    """Return the working-day calendar including every administrator override."""
    rows = session.execute(_OVERRIDES).all()
    return WorkCalendar({day: bool(workday) for day, workday in rows})


def list_overrides(session: Session, *, year: int | None = None) -> list[CalendarOverride]:
    """Return the overrides, by day, optionally for one year."""
    stmt = select(CalendarOverride).order_by(col(CalendarOverride.day))
    if year is not None:
        stmt = stmt.where(col(CalendarOverride.day).between(date(year, 1, 1), date(year, 12, 31)))
    return list(session.exec(stmt))


def set_override(
    session: Session, *, day: date, is_workday: bool, note: str = ""
) -> CalendarOverride:
    """Declare `day` a working day or a day off, replacing any earlier ruling."""
    if len(note) > 100:
        raise CalendarError("说明不能超过100字")
    row = session.get(CalendarOverride, day) or CalendarOverride(day=day, is_workday=is_workday)
    row.is_workday, row.note, row.updated_at = is_workday, note.strip(), utcnow()
    session.add(row)
    session.flush()
    return row


def remove_override(session: Session, *, day: date) -> bool:
    """Drop the ruling for `day` (back to the statutory calendar); False if there was none."""
    row = session.get(CalendarOverride, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def import_holiday_workbook(session: Session, *, data: bytes) -> ImportResult:
    """Save every row of an Excel list (日期 | 放假/上班 | 说明) as an override."""
    rows = read_holiday_rows(data)
    result = ImportResult()
    for day, workday, note in rows:
        set_override(session, day=day, is_workday=workday, note=note)
        result.saved += 1
        result.years.add(day.year)
    log.info("imported %d calendar overrides for %s", result.saved, sorted(result.years))
    return result


def read_holiday_rows(data: bytes) -> list[tuple[date, bool, str]]:
    """Parse the first sheet: a header row, then date, kind (放假/上班) and an optional note."""
    try:
        parsed = importer.read_sheet(data, CALENDAR_SPEC, max_rows=MAX_IMPORT_ROWS)
    except importer.TooManyRows as exc:
        raise CalendarError(f"一次最多导入{MAX_IMPORT_ROWS}行") from exc
    except WorkbookError as exc:  # not a workbook, a corrupt sheet, a missing column
        raise CalendarError(str(exc)) from exc
    rows, report = importer.validate(parsed, _holiday_row)
    if report.errors:
        shown = report.errors[:MAX_ERRORS_LISTED]
        raise CalendarError("；".join(f"第{e.row}行：{e.column}{e.reason}" for e in shown))
    if not rows:
        raise CalendarError("表格中没有数据行（第一行为表头，从第二行起每行一个日期）")
    return rows


def _holiday_row(row: ParsedRow, fail: Fail) -> tuple[date, bool, str] | None:
    """Return a parsed row as (day, is_workday, note)."""
    values = row.values
    return None if row.failed else (values["day"], values["is_workday"], values["note"])


def calendar_warnings(session: Session, *, today: date) -> list[str]:
    """Return the console warnings: years falling back to Monday–Friday (this year and next)."""
    years = load_calendar(session).unknown_years([today.year, today.year + 1])
    for year in years:
        log.warning("no holiday list for %s: counting Monday to Friday as working days", year)
    return [UNKNOWN_YEAR_WARNING.format(year=year) for year in years]


UNKNOWN_YEAR_WARNING = (
    "{year}年的法定节假日和调休安排尚未导入，目前按周一至周五计算工作日。"
    "请在“工作日历”中导入该年的放假安排。"
)
