"""The corp's contacts as the emulator knows them: departments, members, robots, app chats,
and the group chats the intelligent bot was added to (`botgroups`)."""

from __future__ import annotations

from dataclasses import dataclass, field


class DirectoryError(ValueError):
    """The directory a caller uploaded is malformed."""


@dataclass
class Directory:
    """Departments, members, group robots, app chats and bot groups, replaced as a whole."""

    departments: dict[int, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    robots: dict[str, dict] = field(default_factory=dict)
    appchats: dict[str, dict] = field(default_factory=dict)
    botgroups: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> Directory:
        """Build a directory from the control API's JSON body."""
        if not isinstance(data, dict):
            raise DirectoryError("body must be a JSON object")
        try:
            return cls(
                departments={int(d["id"]): _department(d) for d in data.get("departments") or []},
                users={str(u["userid"]): _user(u) for u in data.get("users") or []},
                robots={str(r["key"]): _robot(r) for r in data.get("robots") or []},
                appchats={str(c["chatid"]): _appchat(c) for c in data.get("appchats") or []},
                botgroups={str(g["chatid"]): _botgroup(g) for g in data.get("botgroups") or []},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DirectoryError(f"bad directory entry: {exc!r}") from exc

    def to_json(self) -> dict:
        """Describe the directory in the same shape the control API accepts."""
        return {
            "departments": list(self.departments.values()),
            "users": list(self.users.values()),
            "robots": list(self.robots.values()),
            "appchats": list(self.appchats.values()),
            "botgroups": list(self.botgroups.values()),
        }

    def subtree(self, department_id: int) -> list[int]:
        """List a department and all its descendants, parents first."""
        found, queue = [], [department_id]
        while queue:
            current = queue.pop(0)
            if current in found:
                continue
            found.append(current)
            queue += [d for d, dep in self.departments.items() if dep["parentid"] == current]
        return found

    def members_of(self, department_ids: list[int]) -> list[dict]:
        """List the members who belong to any of the departments."""
        wanted = set(department_ids)
        return [u for u in self.users.values() if wanted & set(u["department"])]


def _department(data: dict) -> dict:
    return {
        **data,
        "id": int(data["id"]),
        "name": str(data["name"]),
        "parentid": int(data.get("parentid") or 0),
        "order": int(data.get("order") or 0),
    }


def _user(data: dict) -> dict:
    departments = [int(d) for d in data.get("department") or [1]]
    return {
        **data,
        "userid": str(data["userid"]),
        "name": str(data.get("name") or data["userid"]),
        "department": departments,
        "position": str(data.get("position") or ""),
    }


def _robot(data: dict) -> dict:
    return {"key": str(data["key"]), "name": str(data.get("name") or data["key"])}


def _appchat(data: dict) -> dict:
    return {
        "chatid": str(data["chatid"]),
        "name": str(data.get("name") or data["chatid"]),
        "owner": str(data.get("owner") or ""),
        "userlist": [str(u) for u in data.get("userlist") or []],
    }


def _botgroup(data: dict) -> dict:
    """A group chat the bot is in; `webhook` is its message-push robot's key, if it has one."""
    return {**_appchat(data), "webhook": str(data.get("webhook") or "")}
