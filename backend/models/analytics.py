"""Analytics settings: the score weights and the three-colour thresholds an administrator sets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel

from backend.models.common import utcnow


class ScoringConfig(SQLModel, table=True):
    """The one stored scoring configuration (id 1); defaults apply while it is absent."""

    id: int | None = Field(default=None, primary_key=True)
    weights: str = Field(
        sa_column=Column(Text, nullable=False), description="JSON: metric → weight"
    )
    yellow_from: float = 60.0
    green_from: float = 80.0
    updated_at: datetime = Field(default_factory=utcnow)
