"""The dashboard: this month's figures, the three-colour ranking and charts, within scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flask import Response, abort, render_template, request

from backend.common.values import parse_int
from backend.models import saved_id
from backend.reports.analytics.config import load_scoring
from backend.reports.analytics.metrics import (
    all_departments_metrics,
    department_metrics,
    weekly_trend,
)
from backend.reports.analytics.scoring import rating_colour, score
from backend.reports.analytics.texts import AnalyticsError
from backend.reports.charts import function_type_chart, trend_chart
from backend.reports.dashboard import dashboard_metrics
from backend.runtime import runtime
from backend.schedule.calendar import load_calendar
from backend.web.console import blueprint
from backend.web.console.access import (
    ensure_visible,
    require_role,
    signed_in_account,
    visible_department_ids,
)
from backend.web.console.common import visible_departments
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

COLOURS = {"red": "红", "yellow": "黄", "green": "绿"}
CHARTS = ("function", "trend")


@dataclass(frozen=True)
class RankedUnit:
    """One department in the dashboard's score table."""

    department_id: int
    name: str
    reporting: str
    coverage: str
    core: str
    score: float
    colour: str


@dataclass(frozen=True)
class ChartChoice:
    """A department offered in the chart selector."""

    id: int
    name: str


@blueprint.get("/")
@require_role()
def dashboard():
    """Show counts, hours, review backlog, the score table and charts for this month."""
    account, today = signed_in_account(), runtime().clock().date()
    db = request_session()
    allowed = visible_department_ids(db, account)
    metrics = dashboard_metrics(db, allowed=allowed, today=today)
    ranking = _ranking(db, allowed, today)
    tops = [
        ChartChoice(saved_id(d), d.name)
        for d in visible_departments(db)
        if d.parent_id is None or allowed is not None
    ]
    chosen = _chart_department(tops)
    return render_template(
        "console/dashboard.html",
        metrics=metrics,
        today=today,
        ranking=ranking,
        colours=COLOURS,
        chart_departments=tops,
        chosen=chosen,
    )


def _ranking(db: Session, allowed: set[int] | None, today: date) -> list[RankedUnit]:
    scoring = load_scoring(db)
    units = all_departments_metrics(
        db, start=today.replace(day=1), end=today, calendar=load_calendar(db)
    )
    ranked = []
    for unit in units:
        if allowed is not None and unit.department_id not in allowed:
            continue
        figures, value = unit.figures, score(unit.figures, scoring.weights)
        ranked.append(
            RankedUnit(
                unit.department_id,
                unit.name,
                figures.reporting_rate.label(1),
                figures.duty_coverage.label(1),
                figures.core_focus.label(1),
                value,
                str(rating_colour(value, scoring.thresholds)),
            )
        )
    return sorted(ranked, key=lambda r: -r.score)


def _chart_department(tops: list[ChartChoice]) -> int | None:
    wanted = parse_int(request.args.get("department", ""))
    if wanted is not None and any(d.id == wanted for d in tops):
        return wanted
    return tops[0].id if tops else None


@blueprint.get("/dashboard/<kind>.png")
@require_role()
def dashboard_chart(kind: str):
    """Draw one department's function-type split or its eight-week trend."""
    department_id = parse_int(request.args.get("department", ""))
    if kind not in CHARTS or department_id is None:
        abort(404, description="没有这张图")
    today = runtime().clock().date()
    db = request_session()
    ensure_visible(db, signed_in_account(), department_id)
    try:
        png = _draw(db, kind, department_id, today, load_calendar(db))
    except AnalyticsError as exc:
        abort(404, description=str(exc))
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, max-age=300"})


def _draw(db: Session, kind: str, department_id: int, today: date, calendar) -> bytes:
    if kind == "trend":
        points = weekly_trend(db, department_id=department_id, end=today, calendar=calendar)
        return trend_chart(points)
    unit = department_metrics(
        db, department_id=department_id, start=today.replace(day=1), end=today, calendar=calendar
    )
    return function_type_chart(unit.figures)
