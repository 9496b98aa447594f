"""Work-order deadlines on working days, and which reminder or escalation is due (pure)."""

from __future__ import annotations

from datetime import date

from backend.models.supervision import WorkOrderStatus
from backend.schedule.workdays import STATUTORY, WorkCalendar
from backend.supervision.rules import add_workdays, alerts_for, deadlines, workdays_left

FRIDAY = date(2026, 11, 20)


def stages(today, *, status=WorkOrderStatus.OPEN, opened=FRIDAY, calendar=STATUTORY):
    visit_due, rectify_due = deadlines(calendar, opened)
    found = alerts_for(
        status=status, visit_due=visit_due, rectify_due=rectify_due, today=today, calendar=calendar
    )
    return [alert.stage for alert in found]


def test_an_order_opened_on_friday_is_due_for_a_visit_on_monday():
    assert deadlines(STATUTORY, FRIDAY) == (date(2026, 11, 23), date(2026, 12, 11))


def test_national_day_holidays_do_not_count_and_the_makeup_saturday_does():
    assert add_workdays(STATUTORY, date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_workdays(STATUTORY, date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_an_administrators_override_moves_the_deadline():
    closed_monday = WorkCalendar({date(2026, 11, 23): False})
    assert deadlines(closed_monday, FRIDAY)[0] == date(2026, 11, 24)


def test_nothing_is_sent_on_the_weekend_or_before_the_due_day():
    assert stages(date(2026, 11, 21)) == []
    assert stages(date(2026, 11, 22)) == []


def test_the_head_is_reminded_on_the_due_day_and_admins_told_the_day_after():
    assert stages(date(2026, 11, 23)) == ["visit-remind"]
    assert stages(date(2026, 11, 24)) == ["visit-overdue"]


def test_a_visited_order_is_reminded_three_working_days_before_rectification_is_due():
    assert stages(date(2026, 12, 7), status=WorkOrderStatus.VISITED) == []
    assert stages(date(2026, 12, 8), status=WorkOrderStatus.VISITED) == ["rectify-remind"]
    assert stages(date(2026, 12, 14), status=WorkOrderStatus.VISITED) == ["rectify-overdue"]


def test_rectified_and_closed_orders_need_nothing():
    for status in (WorkOrderStatus.RECTIFIED, WorkOrderStatus.CLOSED):
        assert stages(date(2027, 1, 4), status=status) == []


def test_working_days_left_counts_after_today_up_to_the_deadline():
    assert workdays_left(STATUTORY, date(2026, 12, 4), date(2026, 12, 11)) == 5
    assert workdays_left(STATUTORY, date(2026, 12, 11), date(2026, 12, 11)) == 0
