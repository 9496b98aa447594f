"""A survey as plain data before it is stored: what the console form and the Excel import build."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from backend.models.surveys import AudienceKind, QuestionKind, SurveyKind


@dataclass(frozen=True)
class QuestionSpec:
    """One question: text, kind, (label, score) options, required, weight."""

    text: str
    kind: QuestionKind
    options: tuple[tuple[str, float], ...] = ()
    required: bool = True
    weight: float = 0.0


@dataclass(frozen=True)
class Audience:
    """Who is invited; the filters apply to kinds `filter` (and narrow `departments`)."""

    kind: AudienceKind = AudienceKind.DEPARTMENTS
    department_ids: tuple[int, ...] = ()
    section_ids: tuple[int, ...] = ()
    staffing_types: tuple[str, ...] = ()
    exclude_leaders: bool = False

    def as_json(self) -> dict:
        """Return the stored form (everything but the kind)."""
        return {
            "department_ids": list(self.department_ids),
            "section_ids": list(self.section_ids),
            "staffing_types": list(self.staffing_types),
            "exclude_leaders": self.exclude_leaders,
        }

    @classmethod
    def from_json(cls, kind: str, data: dict) -> Audience:
        """Rebuild from the stored form."""
        return cls(
            kind=AudienceKind(kind),
            department_ids=tuple(data.get("department_ids", ())),
            section_ids=tuple(data.get("section_ids", ())),
            staffing_types=tuple(data.get("staffing_types", ())),
            exclude_leaders=bool(data.get("exclude_leaders", False)),
        )


@dataclass(frozen=True)
class SurveySpec:
    """Everything needed to create or edit a survey."""

    title: str
    kind: SurveyKind
    opens_at: datetime
    closes_at: datetime
    target_department_ids: tuple[int, ...]
    audience: Audience = field(default_factory=Audience)
    introduction: str = ""
    anonymous: bool = False
    questions: tuple[QuestionSpec, ...] = ()
