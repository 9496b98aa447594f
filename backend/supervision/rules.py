"""The standard's deadlines, which reminder or escalation is due, and public-flood bounds (pure)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import date, timedelta

from backend.models.supervision import WorkOrderStatus
from backend.schedule.workdays import WorkCalendar

VISIT_WORKDAYS = 1
RECTIFY_WORKDAYS = 15
RECTIFY_REMIND_LEFT = 3
MAX_SCAN_DAYS = 400


@dataclass(frozen=True)
class Alert:
    """One message a work order needs today: a reminder to the head or an escalation."""

    stage: str  # visit-remind | visit-overdue | rectify-remind | rectify-overdue
    due: date
    left: int = 0

    @property
    def escalates(self) -> bool:
        """Tell whether administrators are told as well (the deadline has passed)."""
        return self.stage.endswith("overdue")


def add_workdays(calendar: WorkCalendar, start: date, count: int) -> date:
    """Return the `count`-th working day after `start` (start itself not counted)."""
    day = start
    for _ in range(MAX_SCAN_DAYS):
        day += timedelta(days=1)
        if calendar.is_workday(day):
            count -= 1
            if count <= 0:
                return day
    raise ValueError("no working day found within a year")


def deadlines(calendar: WorkCalendar, opened_on: date) -> tuple[date, date]:
    """Return the return-visit and rectification deadlines of an order opened on a day."""
    return (
        add_workdays(calendar, opened_on, VISIT_WORKDAYS),
        add_workdays(calendar, opened_on, RECTIFY_WORKDAYS),
    )


def workdays_left(calendar: WorkCalendar, today: date, due: date) -> int:
    """Count the working days after today up to and including the deadline."""
    if due <= today:
        return 0
    return len(calendar.workdays_between(today + timedelta(days=1), due))


def alerts_for(
    *,
    status: WorkOrderStatus,
    visit_due: date,
    rectify_due: date,
    today: date,
    calendar: WorkCalendar,
) -> list[Alert]:
    """Return the alerts an order in this state needs on `today` (nothing on a day off)."""
    if status in (WorkOrderStatus.RECTIFIED, WorkOrderStatus.CLOSED):
        return []
    if not calendar.is_workday(today):
        return []
    alerts = []
    if status == WorkOrderStatus.OPEN:
        alerts += _visit_alerts(visit_due, today)
    alerts += _rectify_alerts(calendar, rectify_due, today)
    return alerts


def _visit_alerts(due: date, today: date) -> list[Alert]:
    if today == due:
        return [Alert("visit-remind", due)]
    if today > due:
        return [Alert("visit-overdue", due)]
    return []


def _rectify_alerts(calendar: WorkCalendar, due: date, today: date) -> list[Alert]:
    if today > due:
        return [Alert("rectify-overdue", due)]
    left = workdays_left(calendar, today, due)
    if left <= RECTIFY_REMIND_LEFT:
        return [Alert("rectify-remind", due, left)]
    return []


# --- floods from the public pages -------------------------------------------------------------

IPV4_PREFIX = 24
IPV6_PREFIX = 64


@dataclass(frozen=True)
class PublicBounds:
    """How much the public pages take per day, and how often heads hear of new orders."""

    ratings_per_network: int = 10  # per unit (department) and network (IPv4 /24, IPv6 /64)
    orders_per_unit: int = 30  # complaints and bad ratings that open a work order
    digest_every: timedelta = timedelta(minutes=30)


def network_of(address: str | None, *, secret: str) -> str:
    """Return a keyed hash of the address's network (/24 or /64); the address is not kept."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        prefix = "unknown"
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        bits = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
        prefix = str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))
    digest = hmac.new(secret.encode(), prefix.encode(), hashlib.sha256).hexdigest()
    return digest[:32]
