"""Long imports and exports run in a background thread; the browser polls their progress.

State lives in the `consoletask` table, so any web worker can answer the poll. Progress is
written through short transactions of its own; work that holds a write transaction (an
import's all-or-nothing write) reports progress only before it starts writing.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta

from flask import abort, jsonify, render_template, send_file
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from backend.console import blueprint
from backend.console.access import current_account, require_role
from backend.models import utcnow
from backend.models.accounts import Account, ConsoleTask
from backend.runtime import runtime

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(hours=2)
KEEP_RESULTS = timedelta(days=1)  # finished tasks (and their files) are deleted after this
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Outcome:
    """What finished work hands back: a message (JSON text), optionally a file."""

    message: str = ""
    filename: str | None = None
    data: bytes | None = None
    failed: bool = False


Work = Callable[["Progress"], Outcome]


class Progress:
    """Report done/total for one task, at most every few hundred rows."""

    def __init__(self, engine: Engine, task_id: int) -> None:
        self.engine, self.task_id = engine, task_id

    def __call__(self, done: int, total: int, message: str | None = None) -> None:
        values = {"done": done, "total": total}
        if message is not None:
            values["message"] = message
        with Session(self.engine) as db:
            db.exec(update(ConsoleTask).where(ConsoleTask.id == self.task_id).values(**values))
            db.commit()


def start_task(*, kind: str, account: Account, work: Work, total: int = 0) -> int:
    """Record a task and run `work` in a background thread; return the task id."""
    engine = runtime().engine
    with Session(engine) as db:
        old = col(ConsoleTask.created_at) < utcnow() - KEEP_RESULTS
        db.exec(delete(ConsoleTask).where(old, ConsoleTask.status != "running"))
        task = ConsoleTask(kind=kind, account_id=account.id, total=total)
        db.add(task)
        db.commit()
        task_id = task.id
    thread = threading.Thread(target=_run, args=(engine, task_id, work), daemon=True)
    thread.start()
    return task_id


def _run(engine: Engine, task_id: int, work: Work) -> None:
    try:
        outcome = work(Progress(engine, task_id))
    except Exception:
        log.exception("console task %s failed", task_id)
        outcome = Outcome(json.dumps({"error": "处理失败，请检查文件后重试"}), failed=True)
    with Session(engine) as db:
        task = db.get(ConsoleTask, task_id)
        task.status = "failed" if outcome.failed else "done"
        task.message, task.filename, task.result = outcome.message, outcome.filename, outcome.data
        task.done = max(task.done, task.total)
        task.finished_at = utcnow()
        db.commit()


def own_task(db: Session, task_id: int) -> ConsoleTask:
    """Return a task of the signed-in account, or 404."""
    task = db.get(ConsoleTask, task_id)
    if task is None or task.account_id != current_account().id:
        abort(404, description="找不到该任务")
    if task.status == "running" and utcnow() - _aware(task.created_at) > STALE_AFTER:
        task.status, task.message = "failed", json.dumps({"error": "任务已中断，请重新提交"})
        db.commit()
    return task


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def task_state(task: ConsoleTask) -> dict:
    """Return a task's progress as JSON-ready data."""
    percent = (
        100 if task.status != "running" else int(task.done * 100 / task.total) if task.total else 0
    )
    return {
        "id": task.id, "kind": task.kind, "status": task.status, "done": task.done,
        "total": task.total, "percent": min(percent, 100), "has_file": task.result is not None,
        "message": _message(task),
    }  # fmt: skip


def _message(task: ConsoleTask):
    try:
        return json.loads(task.message) if task.message else {}
    except ValueError:
        return {"text": task.message}


@blueprint.get("/tasks/<int:task_id>")
@require_role()
def task_page(task_id: int):
    """Show a task's progress (polled by the page) and, when done, its result."""
    with Session(runtime().engine) as db:
        state = task_state(own_task(db, task_id))
    return render_template("console/task.html", task=state)


@blueprint.get("/tasks/<int:task_id>.json")
@require_role()
def task_progress(task_id: int):
    """Return a task's progress for polling."""
    with Session(runtime().engine) as db:
        return jsonify(task_state(own_task(db, task_id)))


@blueprint.get("/tasks/<int:task_id>/download")
@require_role()
def task_download(task_id: int):
    """Send the file a finished export produced."""
    with Session(runtime().engine) as db:
        task = own_task(db, task_id)
        if task.result is None:
            abort(404, description="文件尚未生成")
        data, name = task.result, task.filename or "export.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
