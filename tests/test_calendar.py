"""The working-day calendar: statutory days, the override table, a year the package lacks."""

from __future__ import annotations

import io
import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlmodel import select

from backend.models import OutboxMessage
from backend.schedule.calendar import (
    CalendarError,
    calendar_warnings,
    import_holiday_workbook,
    load_calendar,
    remove_override,
    set_override,
)
from backend.schedule.workdays import STATUTORY, WorkCalendar, is_workday, workdays_between
from scheduled.reminders import run_reminders
from tests.support.org import add_small_county

ZONE = "Asia/Shanghai"

HOLIDAYS_2027 = [
    ("2027-01-01", "放假", "元旦"),
    ("2027-02-06", "放假", "春节"),
    ("2027-02-07", "放假", "春节"),
    ("2027-02-08", "放假", "春节"),
    ("2027-02-09", "放假", "春节"),
    ("2027-02-10", "放假", "春节"),
    ("2027-02-11", "放假", "春节"),
    ("2027-02-12", "放假", "春节"),
    (date(2027, 2, 14), "上班", "春节调休"),
    ("2027/2/20", "班", "春节调休"),
]


def _workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "类型", "说明"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_national_day_2026_and_its_make_up_days():
    assert workdays_between(date(2026, 9, 28), date(2026, 10, 11)) == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]
    assert is_workday(date(2026, 9, 20)) and not is_workday(date(2026, 9, 25))
    assert STATUTORY.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert STATUTORY.previous_workday(date(2026, 10, 12)) == date(2026, 10, 10)


def test_overrides_win_over_the_statutory_calendar(session):
    set_override(session, day=date(2026, 11, 24), is_workday=False, note="县庆放假")
    set_override(session, day=date(2026, 11, 28), is_workday=True, note="补班")
    calendar = load_calendar(session)
    assert not calendar.is_workday(date(2026, 11, 24))
    assert calendar.is_workday(date(2026, 11, 28))
    assert calendar.next_workday(date(2026, 11, 23)) == date(2026, 11, 25)
    assert remove_override(session, day=date(2026, 11, 24))
    assert load_calendar(session).is_workday(date(2026, 11, 24))
    assert not remove_override(session, day=date(2026, 11, 24))


def test_an_unknown_year_falls_back_to_monday_to_friday_with_a_warning(session, caplog):
    calendar = load_calendar(session)
    with caplog.at_level(logging.WARNING):
        assert calendar.is_workday(date(2027, 1, 1))  # a Friday: Mon-Fri fallback
        warnings = calendar_warnings(session, today=date(2026, 12, 1))
    assert not calendar.is_workday(date(2027, 1, 2))
    assert "2027" in caplog.text and "Monday to Friday" in caplog.text
    assert warnings == [
        "2027年的法定节假日和调休安排尚未导入，目前按周一至周五计算工作日。"
        "请在“工作日历”中导入该年的放假安排。"
    ]
    assert calendar_warnings(session, today=date(2025, 12, 1)) == []


def test_a_local_holiday_alone_does_not_silence_the_warning(session):
    set_override(session, day=date(2027, 1, 4), is_workday=False, note="县庆")
    calendar = load_calendar(session)
    assert not calendar.is_workday(date(2027, 1, 4)) and calendar.is_workday(date(2027, 1, 5))
    assert calendar.unknown_years([2027]) == [2027]
    assert len(calendar_warnings(session, today=date(2027, 1, 5))) == 2  # 2027 and 2028


def test_an_imported_holiday_list_makes_2027_work(session, caplog):
    result = import_holiday_workbook(session, data=_workbook(HOLIDAYS_2027))
    assert (result.saved, result.years) == (10, {2027})
    calendar = load_calendar(session)
    assert not calendar.is_workday(date(2027, 1, 1))
    assert not calendar.is_workday(date(2027, 2, 8))  # a Monday in the Spring Festival
    assert calendar.is_workday(date(2027, 2, 14)) and calendar.is_workday(date(2027, 2, 20))
    assert calendar.is_workday(date(2027, 3, 1))
    assert calendar.next_workday(date(2027, 2, 5)) == date(2027, 2, 14)
    with caplog.at_level(logging.WARNING):
        assert calendar_warnings(session, today=date(2027, 3, 1)) == [
            "2028年的法定节假日和调休安排尚未导入，目前按周一至周五计算工作日。"
            "请在“工作日历”中导入该年的放假安排。"
        ]
    assert "2027" not in caplog.text


def test_reminders_follow_the_2027_list(engine, session):
    add_small_county(session)
    import_holiday_workbook(session, data=_workbook(HOLIDAYS_2027))
    session.commit()

    def at(day, hour, minute):
        return datetime(2027, 2, day, hour, minute, tzinfo=ZoneInfo(ZONE))

    assert run_reminders(engine, now=at(8, 16, 31)) == []  # Spring Festival Monday
    # Friday 2-05's third reminder waits for the next workday, the make-up Sunday 2-14.
    assert run_reminders(engine, now=at(8, 9, 5)) == []
    assert run_reminders(engine, now=at(14, 9, 5))[:2] == [
        "reminder:2027-02-05:3",
        "review:2027-02-05:3",
    ]
    assert "reminder:2027-02-14:1" in run_reminders(engine, now=at(14, 16, 31))
    session.expire_all()
    keys = set(session.exec(select(OutboxMessage.dedupe_key)))
    assert "reminder:2027-02-14:1#0" in keys


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("2027-13-01", "放假", "")], "第2行：日期“2027-13-01”无法识别"),
        ([("2027-01-01", "补休", "")], "第2行：类型“补休”无法识别"),
        ([], "表格中没有数据行"),
    ],
)
def test_a_bad_holiday_list_is_refused_with_the_row(session, rows, message):
    with pytest.raises(CalendarError, match=message):
        import_holiday_workbook(session, data=_workbook(rows))
    assert load_calendar(session) == WorkCalendar({})


def test_a_file_that_is_not_a_workbook_is_refused(session):
    with pytest.raises(CalendarError, match="xlsx"):
        import_holiday_workbook(session, data=b"not a workbook")


def test_the_command_line_imports_and_shows_a_year(engine, tmp_path):
    from click.testing import CliRunner

    from backend.cli import main
    from tests.support.stack import TEST_WECOM

    env = {k: str(v) for k, v in TEST_WECOM.items()}
    env["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    book = tmp_path / "2027.xlsx"
    book.write_bytes(_workbook(HOLIDAYS_2027))
    runner = CliRunner()
    result = runner.invoke(main, ["calendar", "import", str(book)], env=env)
    assert result.exit_code == 0 and "已导入10天（2027年）" in result.output
    shown = runner.invoke(main, ["calendar", "show", "--year", "2027"], env=env)
    assert "2027-02-14 上班 春节调休" in shown.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nope")
    refused = runner.invoke(main, ["calendar", "import", str(bad)], env=env)
    assert refused.exit_code == 1 and "xlsx" in refused.output
