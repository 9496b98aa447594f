"""Look-ups over surveys."""

from __future__ import annotations

from sqlmodel import Session

from backend.models import Survey


def find_survey(session: Session, *, survey_id: int | None) -> Survey | None:
    """Return the survey with this id, or None."""
    return session.get(Survey, survey_id) if survey_id is not None else None


def reread_survey(session: Session, *, survey: Survey) -> Survey:
    """Return the survey read again in this session (it was read in another)."""
    found = session.get(Survey, survey.id)
    if found is None:
        raise LookupError(f"survey {survey.id} vanished")
    return found
