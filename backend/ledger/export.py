"""The ledger as an Excel workbook (重点问题台账), one row per finding, cells escaped."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from backend.ledger import texts
from backend.models.evaluation import EvaluationRound
from backend.models.ledger import Finding
from backend.org.queries import department_names
from backend.reports.xlsx import Sheet, render_xlsx

WIDTHS = [6, 24, 20, 12, 40, 30, 40, 12, 40, 30, 10, 12]


def ledger_rows(session: Session, found: Sequence[Finding]) -> list[list[object]]:
    """Return the export rows of these findings, numbered from 1."""
    names = department_names(session)
    rounds: dict[int, str] = {}
    rows = []
    for seq, f in enumerate(found, start=1):
        if f.round_id is not None and f.round_id not in rounds:
            rnd = session.get(EvaluationRound, f.round_id)
            rounds[f.round_id] = rnd.name if rnd else ""
        rows.append(
            [
                seq,
                names.get(f.department_id, ""),
                rounds.get(f.round_id, "") if f.round_id is not None else "",
                f.found_on.isoformat(),
                f.problem,
                f.suggestion,
                f.measure,
                f.deadline.isoformat() if f.deadline else "",
                f.report,
                f.check_note,
                texts.STATUS_LABELS[f.status],
                f.closed_at.date().isoformat() if f.closed_at else "",
            ]
        )
    return rows


def ledger_sheet(session: Session, found: Sequence[Finding]) -> Sheet:
    """Return the ledger sheet of these findings (for any workbook that includes it)."""
    return Sheet(texts.EXPORT_TITLE, texts.EXPORT_HEADERS, ledger_rows(session, found), WIDTHS)


def ledger_xlsx(session: Session, found: Sequence[Finding]) -> bytes:
    """Return a workbook holding the ledger of these findings."""
    return render_xlsx([ledger_sheet(session, found)])
