"""The WeCom contact sync job: read the directory over the network, then write in one go."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from backend.db import writing
from backend.jobs.service import ClaimedJob, JobResult
from backend.models import Account
from backend.org.accounts import record_audit
from backend.org.wecom_sync import fetch_contacts, sync_from_wecom
from backend.outbox.delivery import build_client
from bot.client import WeComError


def run_contact_sync(engine: Engine, job: ClaimedJob, progress) -> JobResult:
    """Fetch departments and members from WeCom (no transaction open), then sync them."""
    progress(0, 0, "正在读取企业微信通讯录…")
    try:
        contacts = fetch_contacts(build_client(job.run_settings, engine))
    except WeComError as exc:
        return JobResult(
            {"error": f"无法读取企业微信通讯录：{exc}", "back": "/console/org"}, failed=True
        )
    with writing(engine) as session:
        report = sync_from_wecom(session, contacts)
        account = session.get(Account, job.account_id) if job.account_id else None
        record_audit(
            session,
            account=account,
            action="wecom_sync",
            target="contacts",
            detail=report.summary(),
        )
    return JobResult({"text": report.summary(), "back": "/console/org"})
