"""Wiring between our settings and database and the local WeCom emulator (demo and tests)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import requests
from sqlmodel import Session, col, select

from backend.models import ChatTargetKind, Department, Staff
from backend.settings import CALLBACK_PATH, Settings
from bot.emulator import EmulatorConfig

ROOT_DEPARTMENT = {"id": 1, "name": "示范县", "parentid": 0}


def emulator_config(settings: Settings, callback_url: str | None = None) -> EmulatorConfig:
    """Configure the emulator with the same corp, app and keys as the bot."""
    return EmulatorConfig(
        corp_id=settings.WECOM_CORP_ID,
        agent_id=settings.WECOM_AGENT_ID,
        secret=settings.WECOM_SECRET,
        token=settings.WECOM_TOKEN,
        aes_key=settings.WECOM_AES_KEY,
        callback_url=callback_url or settings.PUBLIC_BASE_URL.rstrip("/") + CALLBACK_PATH,
        bot_id=settings.WECOM_BOT_ID,
        bot_secret=settings.WECOM_BOT_SECRET,
    )


def directory_from_database(session: Session) -> dict:
    """Describe our organisation as WeCom's contacts: departments, members, groups."""
    departments = session.exec(select(Department).order_by(col(Department.id))).all()
    staff = session.exec(select(Staff).where(col(Staff.active)).order_by(col(Staff.id))).all()
    wecom_id = {d.id: d.wecom_department_id or 1 for d in departments}
    return {
        "departments": [ROOT_DEPARTMENT] + [_department(d, wecom_id) for d in departments],
        "users": [_user(s, wecom_id) for s in staff],
        "robots": [
            {"key": key, "name": f"{d.name}工作群"}
            for d in departments
            for key in [_robot_key(d)]
            if key
        ],
        "appchats": [
            _appchat(d, staff, departments) for d in departments if _has(d, ChatTargetKind.APPCHAT)
        ],
        "botgroups": [
            {**_appchat(d, staff, departments), "webhook": d.chat_webhook_key or ""}
            for d in departments
            if _has(d, ChatTargetKind.BOT)
        ],
    }


def _robot_key(department: Department) -> str:
    """Return the message-push robot's key of the department's group ("" for none)."""
    if _has(department, ChatTargetKind.WEBHOOK):
        return department.chat_target or ""
    return department.chat_webhook_key or "" if _has(department, ChatTargetKind.BOT) else ""


def _department(department: Department, wecom_id: Mapping[int | None, int]) -> dict:
    parent = wecom_id.get(department.parent_id, 1) if department.parent_id else 1
    return {"id": wecom_id[department.id], "name": department.name, "parentid": parent}


def _user(member: Staff, wecom_id: Mapping[int | None, int]) -> dict:
    return {
        "userid": member.wecom_userid,
        "name": member.name,
        "department": [wecom_id[member.department_id]],
        "position": member.post,
    }


def _has(department: Department, kind: ChatTargetKind) -> bool:
    return department.chat_target_kind == kind and bool(department.chat_target)


def _appchat(
    department: Department, staff: Sequence[Staff], departments: Sequence[Department]
) -> dict:
    unit_ids = {department.id} | {d.id for d in departments if d.parent_id == department.id}
    members = [s for s in staff if s.department_id in unit_ids]
    heads = [s for s in members if s.is_principal_head] or members[:1]
    return {
        "chatid": department.chat_target,
        "name": f"{department.name}工作群",
        "owner": heads[0].wecom_userid if heads else "",
        "userlist": [s.wecom_userid for s in members],
    }


def push_directory(session: Session, emulator_url: str) -> None:
    """Load our organisation into the emulator's contacts."""
    response = requests.put(
        emulator_url.rstrip("/") + "/_emulator/directory",
        json=directory_from_database(session),
        timeout=10,
    )
    response.raise_for_status()
