"""Export 100,000 entries to Excel; compare with bare openpyxl write-only writing the same rows.

Each side runs in its own subprocess so peak RSS is measured cleanly. "ours" is the whole
console/CLI export (SQL query streamed in batches, labels, formula-safe text, dates, widths,
frozen bold header, autofilter, total row); "bare" writes the same display-ready rows, loaded
into memory beforehand (not timed), with a plain `ws.append`. Targets: ours <= 1.3x bare's
time, ours' peak RSS < 150 MB.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.db import make_engine  # noqa: E402
from backend.excel.export import ENTRY_COLUMNS, entry_rows, export_entries  # noqa: E402
from backend.excel.filters import EntryFilters  # noqa: E402
from backend.migrate import upgrade_database  # noqa: E402
from backend.models import Department, Duty, DutyEntry, Section, Staff, TaskType  # noqa: E402
from backend.models.entries import DEFAULT_TASK_TYPES  # noqa: E402

DEPARTMENTS, STAFF_PER_DEPARTMENT, DAYS = 20, 50, 100  # 100,000 entries
START = date(2026, 1, 5)
ZONE = ZoneInfo("Asia/Shanghai")
TIME_TARGET, MEMORY_TARGET_MB = 1.3, 150
RUNS = 2
TEXTS = [
    "检查{place}{n}家餐饮店后厨卫生，责令{m}家整改，复查问题台账并录入系统",
    "受理{place}消费投诉{n}件，电话回访办结{m}件，形成月度分析报告",
    "赴{place}核查{n}户低保家庭收入，{m}户需复核，已通知乡镇民政所",
    "=抽检{place}农贸市场蔬菜样品{n}批次+{m}批次送检",
    "-{n}项整改任务已销号，剩余{m}项跟进",
]
PLACES = ["城关镇", "河西乡", "东山镇", "北关街道", "南湖村", "工业园区", "县医院", "二中"]


def populate(session: Session, rng: random.Random) -> int:
    """Insert 20 departments x 50 staff and 100 days of one entry each."""
    for code, name, order, hours in DEFAULT_TASK_TYPES:
        session.add(TaskType(code=code, name=name, sort_order=order, standard_hours=hours))
    staff, duties = [], []
    for d in range(DEPARTMENTS):
        department = Department(name=f"县第{d}局")
        session.add(department)
        session.flush()
        section = Section(department_id=department.id, name="办公室")
        session.add(section)
        session.flush()
        duties.append([Duty(department_id=department.id, seq=s, title=f"职责{s}：负责相关监管工作",
                            function_type="core") for s in range(1, 16)])  # fmt: skip
        staff += [Staff(wecom_userid=f"u{d}-{i}", name=f"人员{d}-{i}", department_id=department.id,
                        section_id=section.id, staffing_type="administrative")
                  for i in range(STAFF_PER_DEPARTMENT)]  # fmt: skip
    session.add_all(staff + [duty for group in duties for duty in group])
    session.flush()
    by_department = {group[0].department_id: group for group in duties}
    rows = [
        _entry(rng, m, by_department[m.department_id], day) for m in staff for day in range(DAYS)
    ]
    for chunk in range(0, len(rows), 10_000):
        session.execute(insert(DutyEntry), rows[chunk : chunk + 10_000])
    session.commit()
    return len(rows)


def _entry(rng: random.Random, member: Staff, duties: list[Duty], day: int) -> dict:
    text = rng.choice(TEXTS).format(place=rng.choice(PLACES), n=rng.randint(1, 99), m=day)
    return {
        "staff_id": member.id,
        "department_id": member.department_id,
        "section_id": member.section_id,
        "work_date": START + timedelta(days=day),
        "duty_id": rng.choice(duties).id,
        "task_type_code": "business",
        "hours": rng.choice([2.0, 4.0, 6.0, 7.5, 8.0]),
        "items": rng.randint(1, 5),
        "description": text,
        "status": "submitted",
        "flags": "",
        "source": "chat",
    }


def peak_rss_mb() -> float:
    """Peak resident set size of this process image, in MB (VmHWM: reset by exec, unlike
    getrusage's ru_maxrss, which Linux carries over from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(side: str, url: str, out: str) -> dict:
    """Run one side in this process and return its figures."""
    engine = make_engine(url)
    with Session(engine) as session:
        if side == "ours":
            before = peak_rss_mb()
            started, cpu = time.perf_counter(), time.process_time()
            rows = export_entries(session, EntryFilters(), out, zone=ZONE)
        else:
            data = list(entry_rows(session, EntryFilters(), ZONE))
            before = peak_rss_mb()
            started, cpu = time.perf_counter(), time.process_time()
            rows = bare_write(data, out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak_rss_mb(),
        "start_mb": before,
    }


def bare_write(rows: list[tuple], out: str) -> int:
    """Plain openpyxl write-only: a header and the rows as they are."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("履职记录")
    sheet.append([column.title for column in ENTRY_COLUMNS])
    for row in rows:
        sheet.append(row)
    workbook.save(out)
    return len(rows)


def run_side(side: str, url: str, folder: str) -> dict:
    """Measure one side in a fresh subprocess."""
    out = str(Path(folder) / f"{side}.xlsx")
    command = [sys.executable, __file__, "--measure", side, url, out]
    answer = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def main() -> None:
    """Build the database once, then time both sides alternately and print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        upgrade_database(engine)
        with Session(engine) as session:
            count = populate(session, random.Random(7))
        engine.dispose()
        results = {"ours": [], "bare": []}
        for _ in range(RUNS):
            for side in ("bare", "ours"):
                results[side].append(run_side(side, url, folder))
    report(count, results)


def report(count: int, results: dict[str, list[dict]]) -> None:
    """Print best wall and CPU times, peak memory and the verdicts."""
    ours, bare = results["ours"], results["bare"]
    wall = min(r["seconds"] for r in ours), min(r["seconds"] for r in bare)
    cpu = min(r["cpu"] for r in ours), min(r["cpu"] for r in bare)
    peak = max(r["peak_mb"] for r in ours)
    print(f"entries {count}, rows written ours {ours[0]['rows']}, bare {bare[0]['rows']}")
    print(f"bare openpyxl write-only   wall {wall[1]:6.2f} s  cpu {cpu[1]:6.2f} s  "
          f"peak RSS {max(r['peak_mb'] for r in bare):6.1f} MB (rows preloaded)")  # fmt: skip
    print(f"lvzhi export (query+write) wall {wall[0]:6.2f} s  cpu {cpu[0]:6.2f} s  "
          f"peak RSS {peak:6.1f} MB (at start {ours[0]['start_mb']:.1f} MB)")  # fmt: skip
    for name, (mine, theirs) in (("wall", wall), ("cpu", cpu)):
        ratio = mine / theirs
        verdict = "ok" if ratio <= TIME_TARGET else "MISSED"
        print(f"{name} time ratio {ratio:.2f}x (target <= {TIME_TARGET}x): {verdict}")
    verdict = "ok" if peak < MEMORY_TARGET_MB else "MISSED"
    print(f"peak RSS {peak:.1f} MB (target < {MEMORY_TARGET_MB} MB): {verdict}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        main()
