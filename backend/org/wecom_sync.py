"""Sync departments and members from WeCom's contacts (department/list, user/list).

Top-level WeCom departments become departments, nested ones institutions under their parent.
Members are matched by userid: new ones are added (staffing type to be set by roster import),
known ones get their name, post and department refreshed. Nobody is removed or deactivated;
members missing from WeCom are only counted, for an administrator to look at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from backend.models import Department, DepartmentKind, Staff, StaffingType
from bot.client import WeComClient

ROOT_PARENT = 0


@dataclass
class SyncReport:
    """What one sync changed."""

    departments_created: int = 0
    departments_updated: int = 0
    staff_created: int = 0
    staff_updated: int = 0
    missing: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return the report as one Chinese sentence."""
        text = (
            f"同步完成：新增部门 {self.departments_created} 个，"
            f"更新 {self.departments_updated} 个；"
            f"新增人员 {self.staff_created} 人，更新 {self.staff_updated} 人"
        )
        if self.missing:
            text += f"；本系统中有 {len(self.missing)} 人不在企业微信通讯录中（未作改动）"
        return text + "。"


@dataclass(frozen=True)
class Contacts:
    """WeCom's departments and members, as its API lists them."""

    departments: list[dict]
    users: list[dict]

    @property
    def roots(self) -> set[int]:
        """The top departments (the organisation itself)."""
        return {d["id"] for d in self.departments if d.get("parentid", ROOT_PARENT) == ROOT_PARENT}


def fetch_contacts(client: WeComClient) -> Contacts:
    """Read departments and members from WeCom (call this outside any database transaction)."""
    departments = client.list_departments()
    contacts = Contacts(departments, [])
    for root in sorted(contacts.roots):
        contacts.users.extend(client.list_users(root, fetch_child=True))
    return contacts


def sync_from_wecom(session: Session, contacts: Contacts) -> SyncReport:
    """Write WeCom's departments and members into our tables; return what changed."""
    report = SyncReport()
    ours = _sync_departments(session, contacts.departments, contacts.roots, report)
    _sync_users(session, contacts.users, ours, report)
    session.flush()
    return report


def _sync_departments(session: Session, departments: list[dict], roots: set[int], report):
    by_wecom = {d.wecom_department_id: d for d in session.exec(select(Department))}
    by_name = {d.name: d for d in by_wecom.values()}
    ours: dict[int, Department] = {}
    pending = [d for d in departments if d["id"] not in roots]
    for _ in range(len(pending) + 1):  # parents first, whatever order WeCom lists them in
        waiting = []
        for item in pending:
            parent = item.get("parentid")
            if parent not in roots and parent not in ours:
                waiting.append(item)
                continue
            ours[item["id"]] = _department(
                session, item, ours.get(parent), by_wecom, by_name, report
            )
        if not waiting:
            break
        pending = waiting
    return ours


def _department(session, item, parent, by_wecom, by_name, report) -> Department:
    department = by_wecom.get(item["id"]) or by_name.get(item["name"])
    wanted = {
        "name": item["name"][:100],
        "wecom_department_id": item["id"],
        "parent_id": parent.id if parent else None,
        "kind": DepartmentKind.INSTITUTION if parent else DepartmentKind.DEPARTMENT,
    }
    if department is None:
        department = Department(**wanted, sort_order=int(item.get("order") or 0))
        session.add(department)
        session.flush()
        report.departments_created += 1
        return department
    changed = {k: v for k, v in wanted.items() if getattr(department, k) != v}
    for key, value in changed.items():
        setattr(department, key, value)
    report.departments_updated += bool(changed)
    return department


def _sync_users(session: Session, users: list[dict], ours: dict[int, Department], report) -> None:
    known = {s.wecom_userid: s for s in session.exec(select(Staff))}
    seen = set()
    for user in users:
        userid = user.get("userid", "")
        department = _main_department(user, ours)
        if not userid or userid in seen or department is None:
            continue
        seen.add(userid)
        _member(session, user, department, known.get(userid), report)
    report.missing = sorted(u for u, s in known.items() if s.active and u not in seen)


def _main_department(user: dict, ours: dict[int, Department]) -> Department | None:
    candidates = [user.get("main_department"), *user.get("department", [])]
    return next((ours[c] for c in candidates if c in ours), None)


def _member(session, user: dict, department: Department, staff: Staff | None, report) -> None:
    wanted = {"name": user.get("name", "")[:50] or user["userid"], "department_id": department.id}
    if user.get("position"):
        wanted["post"] = user["position"][:50]
    if staff is None:
        session.add(
            Staff(wecom_userid=user["userid"], staffing_type=StaffingType.ADMINISTRATIVE, **wanted)
        )
        report.staff_created += 1
        return
    if staff.department_id != department.id:
        wanted["section_id"] = None
    changed = {k: v for k, v in wanted.items() if getattr(staff, k) != v}
    for key, value in changed.items():
        setattr(staff, key, value)
    report.staff_updated += bool(changed)
