"""Entries with filters, and exports (entries or summaries) run as background tasks."""

from __future__ import annotations

import json
import tempfile
from datetime import date

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.console import blueprint
from backend.console.access import current_account, require_role
from backend.console.common import PAGE_SIZE, audit, filter_choices, page_number, scoped_filters
from backend.console.tasks import Outcome, start_task
from backend.db import read_scope
from backend.excel.export import entry_statement, export_entries, export_summary, format_row
from backend.excel.filters import EntryFilters
from backend.excel.labels import STATUS_LABELS, SUMMARY_KINDS
from backend.models import DutyEntry
from backend.runtime import runtime

SPOOL_BYTES = 16 * 1024 * 1024


@blueprint.get("/entries")
@require_role()
def entries():
    """List entries matching the filters, newest first, a page at a time."""
    page = page_number()
    zone = runtime().settings.timezone
    with Session(runtime().engine) as db:
        filters = scoped_filters(db, request.args)
        total = db.exec(filters.apply(select(func.count()).select_from(DutyEntry))).one()
        stmt = entry_statement(filters).add_columns(DutyEntry.id).order_by(None)
        stmt = stmt.order_by(col(DutyEntry.work_date).desc(), col(DutyEntry.id).desc())
        stmt = stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        rows = [(row[18], format_row(row, zone)) for row in db.exec(stmt)]
        choices = filter_choices(db)
    return render_template(
        "console/entries.html", rows=rows, total=total, page=page, pages=-(-total // PAGE_SIZE),
        filters=filters, args=filters.query_args(), statuses=STATUS_LABELS, **choices,
    )  # fmt: skip


@blueprint.get("/exports")
@require_role()
def exports():
    """Offer the exports: entries with filters, or summaries by department, section or person."""
    with Session(runtime().engine) as db:
        filters = scoped_filters(db, request.args)
        choices = filter_choices(db)
    return render_template(
        "console/exports.html", filters=filters, kinds=SUMMARY_KINDS, statuses=STATUS_LABELS,
        **choices,
    )  # fmt: skip


@blueprint.post("/exports")
@require_role()
def export_start():
    """Start an export in the background and show its progress."""
    kind = request.form.get("kind", "entries")
    if kind != "entries" and kind not in SUMMARY_KINDS:
        abort(400, description="未知的导出类型")
    with Session(runtime().engine) as db:
        filters = scoped_filters(db, request.form)
    with Session(runtime().engine) as db:
        audit(db, "export", kind, json.dumps(filters.query_args(), ensure_ascii=False))
        db.commit()
    work = export_work(kind, filters, _filename(kind, filters))
    task_id = start_task(kind=_task_kind(kind), account=current_account(), work=work)
    return redirect(url_for("console.task_page", task_id=task_id))


def _task_kind(kind: str) -> str:
    return "export_entries" if kind == "entries" else "export_summary"


def _filename(kind: str, filters: EntryFilters) -> str:
    name = "履职记录" if kind == "entries" else f"履职汇总_{SUMMARY_KINDS[kind]}"
    start, end = filters.start or "", filters.end or date.today()
    return f"{name}_{start}至{end}.xlsx" if start else f"{name}_{end}.xlsx"


def export_work(kind: str, filters: EntryFilters, filename: str):
    """Return the background work that writes one export and hands back the file."""
    engine, zone = runtime().engine, runtime().settings.timezone

    def work(progress) -> Outcome:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as buffer:
            with read_scope(engine) as db:  # beside the bot's writes, not in their way
                if kind == "entries":
                    rows = export_entries(db, filters, buffer, zone=zone, progress=progress)
                else:
                    rows = export_summary(db, filters, kind, buffer)
            buffer.seek(0)
            data = buffer.read()
        return Outcome(json.dumps({"rows": rows, "back": "/console/exports"}), filename, data)

    return work
