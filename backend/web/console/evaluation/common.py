"""What the evaluation pages share: the round and unit look-ups, errors, per-point form values."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, request

from backend.db import writing
from backend.evaluation import texts
from backend.evaluation.errors import EvaluationError
from backend.ledger.errors import LedgerError
from backend.models.evaluation import EvaluationRound
from backend.runtime import runtime
from backend.web.session import request_session

T = TypeVar("T")


def find_round(round_id: int) -> EvaluationRound:
    """Return the round or answer 404."""
    from backend.evaluation.queries import round_by_id

    rnd = round_by_id(request_session(), round_id=round_id)
    if rnd is None:
        abort(404, description=texts.ERR_ROUND_MISSING)
    return rnd


def write(work: Callable[..., T]) -> T:
    """Run `work(session)` in one write transaction; a refused step answers 4xx in Chinese."""
    try:
        with writing(runtime().engine) as session:
            return work(session)
    except (EvaluationError, LedgerError) as error:
        abort(error.status, description=error.message)


def point_values(prefix: str, point_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Return point id → (score, note) typed in the form; blank scores are left out."""
    found = {}
    for pid in point_ids:
        raw = request.form.get(f"{prefix}_{pid}", "").strip()
        note = request.form.get(f"{prefix}_note_{pid}", "").strip()
        if raw:
            found[pid] = (raw, note)
    return found
