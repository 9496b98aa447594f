"""What the evaluation pages share: the round and unit look-ups, errors, per-point form values."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, redirect, request

from backend.db import writing
from backend.evaluation import texts
from backend.evaluation.errors import EvaluationError
from backend.evaluation.queries import round_by_id
from backend.ledger.errors import LedgerError
from backend.models.evaluation import EvaluationRound
from backend.runtime import runtime
from backend.web.session import request_session

T = TypeVar("T")


def find_round(round_id: int) -> EvaluationRound:
    """Return the round or answer 404."""
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


def save_or_show(work: Callable[..., object], *, done: str, then: str, show: Callable[[int], T]):
    """Run a save in one write transaction: done, flash and go to `then`; refused, flash why
    and `show(status)` the page again (it keeps what was typed)."""
    try:
        with writing(runtime().engine) as session:
            work(session)
    except (EvaluationError, LedgerError) as error:
        flash(error.message, "error")
        return show(error.status)
    flash(done, "success")
    return redirect(then)


def point_values(prefix: str, point_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Return point id → (score, note) typed in the form; blank scores are left out."""
    found = {}
    for pid in point_ids:
        raw = request.form.get(f"{prefix}_{pid}", "").strip()
        note = request.form.get(f"{prefix}_note_{pid}", "").strip()
        if raw:
            found[pid] = (raw, note)
    return found
