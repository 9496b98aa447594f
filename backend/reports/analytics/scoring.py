"""Rankings, the weighted score and the three-colour rating (三色管理): pure functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from backend.reports.analytics.figures import DepartmentMetrics, Figures, Ratio

METRICS: dict[str, Callable[[Figures], Ratio]] = {
    "reporting_rate": lambda f: f.reporting_rate,
    "review_rate": lambda f: f.review_rate,
    "duty_coverage": lambda f: f.duty_coverage,
    "workload_ratio": lambda f: f.workload_ratio,
    "core_focus": lambda f: f.core_focus,
    "general_focus": lambda f: f.general_focus,
    "auxiliary_focus": lambda f: f.auxiliary_focus,
    "business_entries_share": lambda f: f.business_entries_share,
    "business_hours_share": lambda f: f.business_hours_share,
    "non_core_hours_share": lambda f: f.non_core_hours_share,
    "non_core_entries_share": lambda f: f.non_core_entries_share,
    "non_core_participants_share": lambda f: f.non_core_participants_share,
    "share_5h_and_over": lambda f: f.share_5h_and_over,
}
"""Every rankable metric by key; the Chinese names and definitions are in `texts.METRIC_TEXTS`."""

DEFAULT_WEIGHTS: dict[str, float] = {
    "reporting_rate": 20.0,
    "review_rate": 10.0,
    "duty_coverage": 25.0,
    "workload_ratio": 20.0,
    "core_focus": 25.0,
}
"""Default score weights (sum 100); each metric counts capped at 100%."""


class RatingColour(StrEnum):
    """The three colours: red = 低效 (cut or freeze staffing requests), yellow = watch, green."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


@dataclass(frozen=True)
class RatingThresholds:
    """Scores below `yellow_from` are red; from `green_from` up green; yellow between."""

    yellow_from: float = 60.0
    green_from: float = 80.0

    def __post_init__(self) -> None:
        if not 0 <= self.yellow_from <= self.green_from <= 100:
            raise ValueError("thresholds must satisfy 0 ≤ yellow_from ≤ green_from ≤ 100")


@dataclass(frozen=True)
class Scoring:
    """Weights per metric key and the colour thresholds, as configured."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    thresholds: RatingThresholds = field(default_factory=RatingThresholds)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(METRICS)
        if unknown:
            raise ValueError(f"unknown metrics in weights: {', '.join(sorted(unknown))}")
        if any(weight < 0 for weight in self.weights.values()):
            raise ValueError("weights must not be negative")
        if not any(self.weights.values()):
            raise ValueError("at least one weight must be positive")


@dataclass(frozen=True)
class Ranked:
    """One place in a ranking; equal values share a rank (1, 2, 2, 4)."""

    rank: int
    item: DepartmentMetrics
    value: float | None


def metric_value(figures: Figures, key: str) -> float | None:
    """Return the plain value (0–1, or None) of a metric by key."""
    if key not in METRICS:
        raise KeyError(f"unknown metric: {key}")
    return METRICS[key](figures).value


def rank_departments(
    metrics: Sequence[DepartmentMetrics], key: str | Callable[[Figures], float | None]
) -> list[Ranked]:
    """Order departments by a metric (key or function of Figures), highest first; None last."""
    value_of = key if callable(key) else (lambda figures: metric_value(figures, key))
    valued = [(item, value_of(item.figures)) for item in metrics]
    valued.sort(key=lambda pair: (pair[1] is None, -(pair[1] or 0.0), pair[0].name))
    ranked: list[Ranked] = []
    for position, (item, value) in enumerate(valued, start=1):
        same = ranked and ranked[-1].value == value
        ranked.append(Ranked(ranked[-1].rank if same else position, item, value))
    return ranked


def score(figures: Figures, weights: Mapping[str, float] | None = None) -> float:
    """Return the weighted score out of 100; each metric capped at 100%, undefined counts 0."""
    weights = Scoring(weights=weights).weights if weights is not None else DEFAULT_WEIGHTS
    total = sum(weights.values())
    earned = sum(w * min(metric_value(figures, k) or 0.0, 1.0) for k, w in weights.items())
    return round(earned / total * 100, 2)


def rating_colour(value: float, thresholds: RatingThresholds | None = None) -> RatingColour:
    """Return red, yellow or green for a score."""
    thresholds = thresholds or RatingThresholds()
    if value >= thresholds.green_from:
        return RatingColour.GREEN
    if value >= thresholds.yellow_from:
        return RatingColour.YELLOW
    return RatingColour.RED
