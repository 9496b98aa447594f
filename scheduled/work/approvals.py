"""The approval sync job: read one approval from WeCom (no transaction open), then apply it."""

from __future__ import annotations

import logging
import time

from sqlalchemy.engine import Engine

from backend.db import writing
from backend.jobs.service import ClaimedJob, JobResult
from backend.outbox.delivery import build_client
from backend.schedule import approvals
from bot.client import WeComClient, WeComError

log = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF_SECONDS = 2.0


def run_approval_sync(engine: Engine, job: ClaimedJob, progress) -> JobResult:
    """Fetch the approval named in the job and make its absences match it."""
    sp_no = str(job.payload.get("sp_no") or "")
    progress(0, 0, f"正在读取企业微信审批单{sp_no}…")
    try:
        detail = _detail(build_client(job.run_settings, engine), sp_no)
    except WeComError as exc:
        log.warning("approval %s not read: %s", sp_no, exc)
        return JobResult({"error": f"无法读取企业微信审批单{sp_no}：{exc}"}, failed=True)
    with writing(engine) as session:
        outcome = approvals.apply_approval(session, detail, zone=job.run_settings.timezone)
    log.info("approval %s: %s", sp_no, outcome.summary())
    return JobResult({"text": outcome.summary()})


def _detail(client: WeComClient, sp_no: str) -> dict:
    """Read the detail, trying again a few times while WeCom cannot be reached."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return client.approval_detail(sp_no)
        except WeComError as exc:
            if not exc.retryable or attempt == ATTEMPTS:
                raise
            time.sleep(BACKOFF_SECONDS * attempt)
    raise AssertionError("unreachable")
