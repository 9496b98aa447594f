"""The working-day calendar: chinesecalendar plus the administrator's override table."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook
from sqlmodel import Session, col, select

from backend.excel.reader import WorkbookError, sheet_values
from backend.models import CalendarOverride, utcnow
from backend.workdays import WorkCalendar

log = logging.getLogger(__name__)

WORKDAY_WORDS = {"班", "上班", "工作日", "补班", "调休上班", "workday", "1", "是"}
HOLIDAY_WORDS = {"休", "放假", "休息", "假", "节假日", "假日", "holiday", "0", "否"}
MAX_IMPORT_ROWS = 1000


class CalendarError(ValueError):
    """An override or an imported list the calendar refuses; the message says why."""


@dataclass
class ImportResult:
    """What importing a holiday list did."""

    saved: int = 0
    years: set[int] = field(default_factory=set)


def load_calendar(session: Session) -> WorkCalendar:
    """Return the working-day calendar including every administrator override."""
    rows = session.exec(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
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
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise CalendarError("无法读取该文件，请上传 .xlsx 格式的Excel表格") from exc
    try:
        rows = _holiday_rows(sheet)
    except WorkbookError as exc:  # a truncated or corrupt sheet
        raise CalendarError(str(exc)) from exc
    if not rows:
        raise CalendarError("表格中没有数据行（第一行为表头，从第二行起每行一个日期）")
    return rows


def _holiday_rows(sheet) -> list[tuple[date, bool, str]]:
    """Read the data rows below the header, at most MAX_IMPORT_ROWS of them."""
    rows = []
    for number, values in enumerate(sheet_values(sheet, min_row=2), start=2):
        if not values or all(v in (None, "") for v in values[:3]):
            continue
        rows.append(_holiday_row(number, [*values, None, None, None][:3]))
        if len(rows) > MAX_IMPORT_ROWS:
            raise CalendarError(f"一次最多导入{MAX_IMPORT_ROWS}行")
    return rows


def _holiday_row(number: int, values: list) -> tuple[date, bool, str]:
    raw_day, raw_kind, raw_note = values
    day = _cell_date(raw_day)
    if day is None:
        raise CalendarError(f"第{number}行：日期“{raw_day}”无法识别，请写成2027-01-01")
    kind = str(raw_kind if raw_kind is not None else "").strip()
    if kind not in WORKDAY_WORDS | HOLIDAY_WORDS:
        raise CalendarError(f"第{number}行：类型“{kind}”无法识别，请填“放假”或“上班”")
    return day, kind in WORKDAY_WORDS, str(raw_note or "").strip()[:100]


def _cell_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return None


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
