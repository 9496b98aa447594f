"""Ratios and rounding, rankings, the weighted score and the three-colour rating."""

from __future__ import annotations

import pytest

from backend.models import FunctionType
from backend.reports.analytics import (
    DEFAULT_WEIGHTS,
    DepartmentMetrics,
    Figures,
    RatingColour,
    RatingThresholds,
    Ratio,
    Scoring,
    load_scoring,
    metric_value,
    rank_departments,
    rating_colour,
    save_scoring,
    score,
)


def department(name: str, **counts) -> DepartmentMetrics:
    return DepartmentMetrics(len(name), name, Figures(**counts))


def test_percent_rounds_half_up_from_exact_values():
    assert Ratio(94, 132).percent(2) == 71.21
    assert Ratio(1, 8).percent(0) == 13.0  # 12.5 rounds up, not to even
    assert Ratio(0.125, 1).percent(1) == 12.5
    assert Ratio(2560.0, 5000.0).label(1) == "51.2%"
    assert Ratio(1, 3).label() == "33.33%"
    assert Ratio(0, 0).label() == "—"
    assert Ratio(5, 0).value is None


def test_rank_departments_by_any_metric_with_shared_ranks():
    rows = [
        department("县民政局", reported_days=8, expected_days=10),
        department("县财政局", reported_days=9, expected_days=10),
        department("县档案馆"),
        department("县教育局", reported_days=4, expected_days=5),
    ]

    ranked = rank_departments(rows, "reporting_rate")

    assert [(r.rank, r.item.name) for r in ranked] == [
        (1, "县财政局"),
        (2, "县教育局"),
        (2, "县民政局"),
        (4, "县档案馆"),
    ]
    assert ranked[-1].value is None
    by_hours = rank_departments(rows, lambda figures: figures.expected_days)
    assert [r.item.name for r in by_hours][:2] == ["县民政局", "县财政局"]


def test_rank_by_an_unknown_metric_is_refused():
    with pytest.raises(KeyError):
        rank_departments([department("县民政局")], "happiness")


def test_score_weights_each_metric_capped_at_full_marks():
    figures = Figures(
        reported_days=9,
        expected_days=10,
        entries=10,
        reviewed_entries=10,
        duties_performed=6,
        duties_total=12,
        hours=100.0,  # 100 h of 80 standard hours: counted as 100%, not 125%
        hours_by_function={FunctionType.CORE: 40.0},
    )
    # 20×0.9 + 10×1 + 25×0.5 + 20×1 + 25×0.4 = 70.5 of 100
    assert score(figures) == 70.5
    assert score(figures, {"duty_coverage": 1, "review_rate": 1}) == 75.0
    assert score(Figures()) == 0.0


def test_weights_and_thresholds_are_validated():
    with pytest.raises(ValueError, match="unknown metrics"):
        Scoring(weights={"happiness": 1})
    with pytest.raises(ValueError, match="negative"):
        Scoring(weights={"review_rate": -1})
    with pytest.raises(ValueError, match="positive"):
        Scoring(weights={"review_rate": 0})
    with pytest.raises(ValueError, match="thresholds"):
        RatingThresholds(yellow_from=90, green_from=80)


def test_three_colours_from_thresholds():
    assert rating_colour(59.99) is RatingColour.RED
    assert rating_colour(60) is RatingColour.YELLOW
    assert rating_colour(80) is RatingColour.GREEN
    strict = RatingThresholds(yellow_from=75, green_from=90)
    assert rating_colour(80, strict) is RatingColour.YELLOW
    assert rating_colour(70, strict) is RatingColour.RED


def test_metric_value_reads_every_metric():
    figures = Figures(entries=9, entries_by_task_type={"business": 7})
    assert metric_value(figures, "business_entries_share") == pytest.approx(7 / 9)
    assert metric_value(figures, "reporting_rate") is None


def test_scoring_configuration_is_stored(session):
    assert load_scoring(session) == Scoring()
    assert dict(load_scoring(session).weights) == DEFAULT_WEIGHTS

    chosen = Scoring(
        weights={"reporting_rate": 50, "duty_coverage": 50},
        thresholds=RatingThresholds(yellow_from=70, green_from=85),
    )
    save_scoring(session, scoring=chosen)
    session.commit()
    save_scoring(session, scoring=chosen)  # saving twice keeps one row
    session.commit()

    loaded = load_scoring(session)
    assert dict(loaded.weights) == {"reporting_rate": 50, "duty_coverage": 50}
    assert loaded.thresholds == RatingThresholds(yellow_from=70, green_from=85)
