"""The figures that open the weekly image, readable on a phone without zooming.

Reporting rate, hours, duty coverage and core focus, each with its change from the previous
period, and the members with missing days; drawn on one matplotlib axes above the charts.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.axes import Axes

from backend.reports.analytics import Ratio
from backend.reports.data import DepartmentReport

UP, DOWN, SAME = "#1a7f37", "#c62828", "#555555"
NAMES_SHOWN = 10
LINE_CHARS = 30  # CJK characters per line of the missing list at 12 pt on 1080 px


@dataclass(frozen=True)
class Tile:
    """One headline figure: its name, value and change from the previous period."""

    label: str
    value: str
    change: str
    colour: str


def _points(current: Ratio, previous: Ratio) -> tuple[str, str]:
    now, before = current.percent(1), previous.percent(1)
    if now is None or before is None:
        return "", SAME
    points = round(now - before, 1)
    if points > 0:
        return f"较上期 ↑{points:g} 个百分点", UP
    if points < 0:
        return f"较上期 ↓{-points:g} 个百分点", DOWN
    return "与上期持平", SAME


def _hours_change(now: float, before: float) -> tuple[str, str]:
    if not before:
        return "", SAME
    change = round(now - before, 1)
    if change == 0:
        return "与上期持平", SAME
    arrow, colour = ("↑", UP) if change > 0 else ("↓", DOWN)
    return f"较上期 {arrow}{abs(change):g} 小时", colour


def tiles(report: DepartmentReport) -> list[Tile]:
    """Return the four headline figures of a department's period."""
    now, before = report.figures, report.previous
    found = [Tile("总工时", f"{now.hours:g} 小时", *_hours_change(now.hours, before.hours))]
    for label, key in (("填报率", "reporting_rate"), ("职责覆盖率", "duty_coverage"),
                       ("核心职责聚焦度", "core_focus")):  # fmt: skip
        current, previous = getattr(now, key), getattr(before, key)
        found.append(Tile(label, current.label(1), *_points(current, previous)))
    return [found[1], found[0], found[2], found[3]]


def missing_text(report: DepartmentReport) -> str:
    """Name the members with missing days, most first, at most NAMES_SHOWN of them."""
    people = [(report.days_missing(p), p.name) for p in report.breakdown.people]
    missing = sorted((d, n) for d, n in people if d)
    missing.sort(key=lambda m: -m[0])
    if not missing:
        return "应填报的同志都已按时填报"
    names = "、".join(f"{name}{days}天" for days, name in missing[:NAMES_SHOWN])
    more = f" 等 {len(missing)} 人" if len(missing) > NAMES_SHOWN else f"（{len(missing)} 人）"
    return f"缺报：{names}{more}"


def _wrapped(text: str, width: int = LINE_CHARS, lines: int = 3) -> str:
    rows = [text[i : i + width] for i in range(0, len(text), width)]
    return "\n".join(rows[:lines]) + ("…" if len(rows) > lines else "")


def draw_headline(ax: Axes, report: DepartmentReport) -> None:
    """Draw the four figures as a 2 × 2 grid of large numbers, then the missing members."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    for index, tile in enumerate(tiles(report)):
        x, y = 0.02 + 0.5 * (index % 2), 0.97 - 0.33 * (index // 2)
        ax.text(x, y, tile.label, fontsize=13, color="#555555", va="top")
        ax.text(x, y - 0.08, tile.value, fontsize=28, va="top")
        ax.text(x, y - 0.225, tile.change, fontsize=11.5, color=tile.colour, va="top")
    ax.text(0.02, 0.30, _wrapped(missing_text(report)), fontsize=12.5, va="top", linespacing=1.5)
