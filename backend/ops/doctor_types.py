"""What one `lvzhi doctor` check found: a level, what was seen, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """How a check came out: fine, worth a look, or broken."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


MARKS = {Level.OK: "✓", Level.WARN: "!", Level.FAIL: "✗"}


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report (Chinese), with the fix for a warning or a failure."""

    label: str
    level: Level
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        """Render the finding as the lines `lvzhi doctor` prints."""
        shown = [f"{MARKS[self.level]} {self.label}：{self.detail}"]
        if self.fix and self.level != Level.OK:
            shown.append(f"    处理：{self.fix}")
        return shown
