"""The stored scoring configuration: load it (defaults when absent) and save it."""

from __future__ import annotations

import json

from sqlmodel import Session

from backend.models.analytics import ScoringConfig
from backend.models.common import utcnow
from backend.reports.analytics.scoring import RatingThresholds, Scoring

CONFIG_ID = 1


def load_scoring(session: Session) -> Scoring:
    """Return the administrator's weights and thresholds, or the defaults."""
    row = session.get(ScoringConfig, CONFIG_ID)
    if row is None:
        return Scoring()
    thresholds = RatingThresholds(yellow_from=row.yellow_from, green_from=row.green_from)
    return Scoring(weights=json.loads(row.weights), thresholds=thresholds)


def save_scoring(session: Session, *, scoring: Scoring) -> None:
    """Store weights and thresholds (already validated by `Scoring`); the caller commits."""
    row = session.get(ScoringConfig, CONFIG_ID) or ScoringConfig(id=CONFIG_ID, weights="{}")
    row.weights = json.dumps(dict(scoring.weights), ensure_ascii=False, sort_keys=True)
    row.yellow_from = scoring.thresholds.yellow_from
    row.green_from = scoring.thresholds.green_from
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
