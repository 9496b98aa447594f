"""Entries with filters, and exports (entries or summaries) run as jobs."""

from __future__ import annotations

import json

from flask import render_template, request

from backend.db import writing
from backend.entries.export import count_entries
from backend.entries.filters import EntryFilters, filters_payload
from backend.entries.queries import entry_page
from backend.excel.labels import STATUS_LABELS, SUMMARY_KINDS
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import require_role
from backend.web.console.common import PAGE_SIZE, audit, filter_choices, page_number, scoped_filters
from backend.web.console.forms import ExportForm
from backend.web.console.jobs import start_job
from backend.web.session import request_session


@blueprint.get("/entries")
@require_role()
def entries():
    """List entries matching the filters, newest first, a page at a time."""
    page = page_number()
    zone = runtime().settings.timezone
    db = request_session()
    filters = scoped_filters(db, request.args)
    total = count_entries(db, filters)
    offset = (page - 1) * PAGE_SIZE
    rows = entry_page(db, filters=filters, zone=zone, offset=offset, limit=PAGE_SIZE)
    choices = filter_choices(db)
    return render_template(
        "console/entries.html",
        rows=rows,
        total=total,
        page=page,
        pages=-(-total // PAGE_SIZE),
        filters=filters,
        args=filters.query_args(),
        statuses=STATUS_LABELS,
        **choices,
    )


@blueprint.get("/exports")
@require_role()
def exports():
    """Offer the exports: entries with filters, or summaries by department, section or person."""
    return _exports_page(scoped_filters(request_session(), request.args))


def _exports_page(filters: EntryFilters, failed: ExportForm | None = None, status: int = 200):
    """Render the exports page; `failed` is the form shown again with its errors."""
    choices = filter_choices(request_session())
    return render_template(
        "console/exports.html",
        filters=filters,
        kinds=SUMMARY_KINDS,
        statuses=STATUS_LABELS,
        failed=failed,
        **choices,
    ), status


@blueprint.post("/exports")
@require_role()
def export_start():
    """Queue an export as a job and show its progress."""
    form = ExportForm()
    form.kind.choices = [("entries", "履职记录明细"), *SUMMARY_KINDS.items()]
    filters = scoped_filters(request_session(), request.form)  # the filters' one parser
    if not form.validate():
        return _exports_page(filters, form, 400)
    kind = form.kind.data
    with writing(runtime().engine) as db:
        audit(db, "export", kind, json.dumps(filters.query_args(), ensure_ascii=False))
    payload = {
        "kind": kind,
        "filters": filters_payload(filters),
        "filename": _filename(kind, filters),
    }
    return start_job(_job_kind(kind), payload)


def _job_kind(kind: str) -> str:
    return "export_entries" if kind == "entries" else "export_summary"


def _filename(kind: str, filters: EntryFilters) -> str:
    name = "履职记录" if kind == "entries" else f"履职汇总_{SUMMARY_KINDS[kind]}"
    start, end = filters.start or "", filters.end or runtime().clock().date()
    return f"{name}_{start}至{end}.xlsx" if start else f"{name}_{end}.xlsx"
