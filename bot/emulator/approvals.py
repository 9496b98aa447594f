"""The 审批 (approvals) app: members apply for leave or a trip, approvers decide, WeCom tells.

Each change of an approval's state is delivered to the bot as a `sys_approval_change` event
from "sys", like WeCom's approval callback; `oa/getapprovaldetail` answers with the form.
"""

from __future__ import annotations

import itertools
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, jsonify

from bot.emulator.callbacks import deliver
from bot.emulator.calls import check_token, current_state, json_body
from bot.emulator.errors import ApiError, ok
from bot.emulator.state import EmulatorState
from bot.emulator.wire import Raw, build_xml, cdata

approvals = Blueprint("wecom_approvals", __name__)

ZONE = ZoneInfo("Asia/Shanghai")  # WeCom's forms are in China time
KINDS = {"leave": ("请假", "Vacation", 1), "trip": ("出差", "Attendance", 3)}
UNITS = ("day", "halfday", "hour")
# sp_status → StatuChangeEvent: submitted, approved, rejected, revoked, revoked after approval
CHANGE_EVENTS = {1: 1, 2: 2, 3: 3, 4: 6, 6: 8, 7: 6}
STATUS_NAMES = {1: "审批中", 2: "已通过", 3: "已驳回", 4: "已撤销", 6: "通过后撤销", 7: "已删除"}
# Numbers go on from the time of day, so a restarted emulator does not hand out one again.
_numbers = itertools.count(int(time.time()) % 86_400 * 10)


class ApprovalError(ValueError):
    """A control request about approvals that makes no sense (HTTP 400)."""


@approvals.errorhandler(ApprovalError)
def _refuse(error: ApprovalError):
    return jsonify({"error": str(error)}), 400


@approvals.post("/cgi-bin/oa/getapprovaldetail")
def approval_detail():
    """Answer one approval's details by its number."""
    check_token()
    sp_no = str(json_body().get("sp_no") or "")
    state = current_state()
    with state.lock:
        info = state.approvals.get(sp_no)
    if info is None:
        raise ApiError(40058, "sp_no not found")
    return jsonify(ok(info=info))


@approvals.get("/_emulator/approvals")
def list_approvals():
    """List every approval the emulator holds."""
    state = current_state()
    with state.lock:
        return jsonify({"approvals": list(state.approvals.values())})


@approvals.post("/_emulator/approvals")
def submit():
    """A member applies: {userid, kind: leave|trip, start, end, unit?, hours?}; returns sp_no."""
    body = json_body()
    state = current_state()
    userid = _text(body, "userid")
    if userid not in state.directory.users:
        raise ApprovalError(f"unknown member {userid!r}")
    kind = _text(body, "kind")
    if kind not in KINDS:
        raise ApprovalError(f"kind must be one of {sorted(KINDS)}")
    info = _new_info(state, userid, kind, _range(body))
    with state.lock:
        state.approvals[info["sp_no"]] = info
    return jsonify({"sp_no": info["sp_no"], "delivery": _notify(state, info)})


@approvals.post("/_emulator/approvals/<sp_no>")
def decide(sp_no: str):
    """An approver decides, or the member revokes: {status: 2|3|4|6|7}."""
    status = json_body().get("status")
    if status not in CHANGE_EVENTS or status == 1:
        raise ApprovalError("status must be 2, 3, 4, 6 or 7")
    state = current_state()
    with state.lock:
        info = state.approvals.get(sp_no)
        if info is None:
            raise ApprovalError(f"no approval {sp_no!r}")
        info["sp_status"] = status
        info["sp_record"][0]["sp_status"] = status
    return jsonify({"sp_no": sp_no, "delivery": _notify(state, info)})


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ApprovalError(f"{name} must be a non-empty string")
    return value


def _range(body: dict) -> dict:
    """Build the form's date_range from start/end days (and hours for a leave by the hour)."""
    unit = body.get("unit", "day")
    if unit not in UNITS:
        raise ApprovalError(f"unit must be one of {UNITS}")
    try:
        start, end = (
            date.fromisoformat(_text(body, "start")),
            date.fromisoformat(_text(body, "end")),
        )
    except ValueError as exc:
        raise ApprovalError(f"bad date: {exc}") from None
    if end < start:
        raise ApprovalError("end is before start")
    begin = datetime.combine(start, datetime.min.time(), ZONE)
    if unit == "hour":
        hours = body.get("hours", 2)
        if not isinstance(hours, int | float) or not 0 < hours <= 24 * 31:
            raise ApprovalError("hours must be a positive number")
        begin += timedelta(hours=9)
        finish = begin + timedelta(hours=hours)
        duration = int(hours * 3600)
    else:  # whole days end at the last day's midnight (day) or its last second (halfday)
        finish = datetime.combine(end, datetime.min.time(), ZONE)
        finish += timedelta(days=1, seconds=-1) if unit == "halfday" else timedelta()
        duration = ((end - start).days + 1) * 86400
    return {
        "type": unit,
        "new_begin": int(begin.timestamp()),
        "new_end": int(finish.timestamp()),
        "new_duration": duration,
    }


def _new_info(state: EmulatorState, userid: str, kind: str, date_range: dict) -> dict:
    name, control, attendance_type = KINDS[kind]
    now = int(time.time())
    attendance = {"date_range": date_range, "type": attendance_type}
    value = (
        {"vacation": {"selector": _leave_type(), "attendance": attendance}}
        if control == "Vacation"
        else {"attendance": attendance}
    )
    user = state.directory.users[userid]
    return {
        "sp_no": f"{datetime.now(ZONE):%Y%m%d}{next(_numbers):07d}",
        "sp_name": name,
        "sp_status": 1,
        "template_id": f"emulator-{kind}",
        "apply_time": now,
        "applyer": {"userid": userid, "partyid": str((user.get("department") or [1])[0])},
        "sp_record": [{"sp_status": 1, "approverattr": 1, "details": []}],
        "notifyer": [],
        "apply_data": {
            "contents": [
                {
                    "control": control,
                    "id": f"{control.lower()}-1",
                    "title": [{"text": name, "lang": "zh_CN"}],
                    "value": value,
                }
            ]
        },
        "comments": [],
    }


def _leave_type() -> dict:
    return {
        "type": "single",
        "options": [{"key": "1", "value": [{"text": "事假", "lang": "zh_CN"}]}],
        "exp_type": 0,
    }


def _notify(state: EmulatorState, info: dict) -> dict:
    """Deliver the sys_approval_change event for the approval's current state."""
    applyer = info["applyer"]
    fragment = (
        f"<SpNo>{info['sp_no']}</SpNo><SpName>{cdata(info['sp_name'])}</SpName>"
        f"<SpStatus>{info['sp_status']}</SpStatus><TemplateId>{cdata(info['template_id'])}"
        f"</TemplateId><ApplyTime>{info['apply_time']}</ApplyTime><Applyer><UserId>"
        f"{cdata(applyer['userid'])}</UserId><Party>{cdata(applyer['partyid'])}</Party>"
        f"</Applyer><StatuChangeEvent>{CHANGE_EVENTS[info['sp_status']]}</StatuChangeEvent>"
    )
    config = state.config
    plaintext = build_xml(
        [
            ("ToUserName", config.corp_id),
            ("FromUserName", "sys"),
            ("CreateTime", int(time.time())),
            ("MsgType", "event"),
            ("Event", "sys_approval_change"),
            ("AgentID", config.agent_id),
            ("ApprovalInfo", Raw(fragment)),
        ]
    )
    state.record(
        direction="system",
        channel="approval",
        userid=applyer["userid"],
        msgtype="event",
        event="sys_approval_change",
        content=f"{info['sp_name']}申请 {info['sp_no']} {STATUS_NAMES[info['sp_status']]}",
    )
    return deliver(state, plaintext, "sys").to_json()
