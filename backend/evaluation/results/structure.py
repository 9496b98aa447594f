"""Staff structure columns of the round report (seed 001's shape): age, gender, education."""

from __future__ import annotations

from backend.models.staffing import EDUCATION_LABELS, GENDER_LABELS
from backend.staffing.figures import AgeBand, UnitStructure

AGE_LABELS = {
    AgeBand.UNDER_35: "35岁以下",
    AgeBand.FROM_35: "35–44岁",
    AgeBand.FROM_45: "45–54岁",
    AgeBand.FROM_55: "55岁及以上",
}
STRUCTURE_COLUMNS = (
    "单位",
    "在职人数",
    "平均年龄",
    *AGE_LABELS.values(),
    *GENDER_LABELS.values(),
    *EDUCATION_LABELS.values(),
)


def structure_cells(unit: UnitStructure) -> list[object]:
    """Return a unit's structure row: staff, average age, age bands, genders, educations."""
    return [
        unit.name,
        unit.staff,
        unit.average_age,
        *(unit.age_bands.get(band, 0) for band in AGE_LABELS),
        *(unit.genders.get(gender, 0) for gender in GENDER_LABELS),
        *(unit.educations.get(level, 0) for level in EDUCATION_LABELS),
    ]
