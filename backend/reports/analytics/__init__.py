"""Analytics: the metrics of domain.md, aggregated in SQL and rolled up by pure functions.

Public interface (stable names):

- figures: `Figures` (counts; metrics as `Ratio` properties: `reporting_rate`, `review_rate`,
  `duty_coverage`, `workload_ratio`, `core_focus` / `general_focus` / `auxiliary_focus`,
  `task_type_entries_share(code)` / `task_type_hours_share(code)`, `business_*_share`,
  `non_core_*_share`, `share_5h_and_over`, `buckets`), `Ratio` (`.value`, `.percent(places)`,
  `.label(places)` → "71.21%"), `HoursBuckets`, `DepartmentMetrics`, `SectionMetrics`,
  `StaffingTypeMetrics`, `PersonMetrics`, `DepartmentBreakdown`, `WeekPoint`;
- queries (session first, keyword-only, `calendar` = a `backend.schedule.workdays.WorkCalendar`,
  dates inclusive): `department_metrics`, `department_breakdown` (department + sections +
  staffing types + people in one pass), `section_metrics`, `staffing_type_metrics`,
  `person_metrics`, `all_departments_metrics`, `weekly_trend`;
- scoring (pure): `METRICS`, `metric_value`, `rank_departments`, `score`, `rating_colour`,
  `RatingColour`, `RatingThresholds`, `Scoring`, `DEFAULT_WEIGHTS`; stored configuration:
  `load_scoring(session)`, `save_scoring(session, *, scoring)`;
- texts: `METRIC_TEXTS` (key → Chinese name, definition), `BUCKET_LABELS`, `RATING_LABELS`,
  `AnalyticsError` (a ValueError whose message is Chinese).
"""

from backend.reports.analytics.config import load_scoring, save_scoring
from backend.reports.analytics.figures import (
    DepartmentBreakdown,
    DepartmentMetrics,
    Figures,
    HoursBuckets,
    PersonMetrics,
    Ratio,
    SectionMetrics,
    StaffingTypeMetrics,
    WeekPoint,
)
from backend.reports.analytics.metrics import (
    all_departments_metrics,
    department_breakdown,
    department_metrics,
    person_metrics,
    section_metrics,
    staffing_type_metrics,
    weekly_trend,
)
from backend.reports.analytics.scoring import (
    DEFAULT_WEIGHTS,
    METRICS,
    Ranked,
    RatingColour,
    RatingThresholds,
    Scoring,
    metric_value,
    rank_departments,
    rating_colour,
    score,
)
from backend.reports.analytics.texts import (
    BUCKET_LABELS,
    METRIC_TEXTS,
    RATING_LABELS,
    AnalyticsError,
)

__all__ = [
    "BUCKET_LABELS",
    "DEFAULT_WEIGHTS",
    "METRICS",
    "METRIC_TEXTS",
    "RATING_LABELS",
    "AnalyticsError",
    "DepartmentBreakdown",
    "DepartmentMetrics",
    "Figures",
    "HoursBuckets",
    "PersonMetrics",
    "Ranked",
    "RatingColour",
    "RatingThresholds",
    "Ratio",
    "Scoring",
    "SectionMetrics",
    "StaffingTypeMetrics",
    "WeekPoint",
    "all_departments_metrics",
    "department_breakdown",
    "department_metrics",
    "load_scoring",
    "metric_value",
    "person_metrics",
    "rank_departments",
    "rating_colour",
    "save_scoring",
    "score",
    "section_metrics",
    "staffing_type_metrics",
    "weekly_trend",
]
