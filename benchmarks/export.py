"""XLSX engines and the entries export: 100,000 rows, each side in its own subprocess.

Engines write the same 100,000 rows x 8 columns (dates, text, numbers, date-times; some text
starts like a formula), prepared beforehand (not timed): bare openpyxl write-only, bare
XlsxWriter (`constant_memory`), rustpy-xlsxwriter (if installed; header, widths, filter and date
formats, no 合计 row) and "ours", the one writer `backend.excel.writer` (bold frozen header,
filter, widths, dates, formula-safe text, 合计 row). "entries" is the whole entries export
(`export_entries`: SQL streamed in batches, labels, 18 columns) on a database of 100,000 entries.
Printed: best wall and CPU time of each side, the ratio of ours (and of the entries export) to
the fastest engine measured in the same run, and the entries export's peak RSS (target < 150 MB).
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.db import make_engine  # noqa: E402
from backend.entries.export import (  # noqa: E402
    export_entries,
)
from backend.entries.filters import EntryFilters  # noqa: E402
from backend.excel.writer import Book, Column  # noqa: E402
from backend.migrate import upgrade_database  # noqa: E402
from backend.models import Department, Duty, DutyEntry, Section, Staff, TaskType  # noqa: E402
from backend.models.entries import DEFAULT_TASK_TYPES  # noqa: E402

DEPARTMENTS, STAFF_PER_DEPARTMENT, DAYS = 20, 50, 100  # 100,000 entries
ROWS = DEPARTMENTS * STAFF_PER_DEPARTMENT * DAYS
START = date(2026, 1, 5)
ZONE = ZoneInfo("Asia/Shanghai")
MEMORY_TARGET_MB = 150
RUNS = 2
TEXTS = [
    "检查{place}{n}家餐饮店后厨卫生，责令{m}家整改，复查问题台账并录入系统",
    "受理{place}消费投诉{n}件，电话回访办结{m}件，形成月度分析报告",
    "赴{place}核查{n}户低保家庭收入，{m}户需复核，已通知乡镇民政所",
    "=抽检{place}农贸市场蔬菜样品{n}批次+{m}批次送检",
    "-{n}项整改任务已销号，剩余{m}项跟进",
]
PLACES = ["城关镇", "河西乡", "东山镇", "北关街道", "南湖村", "工业园区", "县医院", "二中"]
COLUMNS = [
    Column("日期", 11, "date"),
    Column("部门", 22),
    Column("姓名", 9),
    Column("工作内容", 50),
    Column("工时", 7, "number", total=True),
    Column("件数", 7, "integer", total=True),
    Column("审核状态", 9),
    Column("填报时间", 17, "datetime"),
]
TITLES = [column.title for column in COLUMNS]


def populate(session: Session, rng: random.Random) -> int:
    """Insert 20 departments x 50 staff and 100 days of one entry each."""
    for code, name, order, hours in DEFAULT_TASK_TYPES:
        session.add(TaskType(code=code, name=name, sort_order=order, standard_hours=hours))
    staff, duties = [], []
    for d in range(DEPARTMENTS):
        members, group = _department(session, d)
        staff += members
        duties.append(group)
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


def _department(session: Session, number: int) -> tuple[list[Staff], list[Duty]]:
    department = Department(name=f"县第{number}局")
    session.add(department)
    session.flush()
    section = Section(department_id=department.id, name="办公室")
    session.add(section)
    session.flush()
    duties = [
        Duty(
            department_id=department.id,
            seq=s,
            title=f"职责{s}：负责相关监管工作",
            function_type="core",
        )
        for s in range(1, 16)
    ]
    staff = [
        Staff(
            wecom_userid=f"u{number}-{i}",
            name=f"人员{number}-{i}",
            department_id=department.id,
            section_id=section.id,
            staffing_type="administrative",
        )
        for i in range(STAFF_PER_DEPARTMENT)
    ]
    return staff, duties


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


def sample_rows(count: int = ROWS) -> list[tuple]:
    """Return display-ready rows of the 8 benchmark columns (the same for every engine)."""
    rng = random.Random(7)
    moment = datetime(2026, 1, 5, 8, 0)
    return [
        (
            START + timedelta(days=i % DAYS),
            f"县第{i % DEPARTMENTS}局",
            f"人员{i % 1000}",
            rng.choice(TEXTS).format(place=rng.choice(PLACES), n=i % 97, m=i % 13),
            rng.choice([2.0, 4.0, 6.0, 7.5, 8.0]),
            rng.randint(1, 5),
            rng.choice(["待审核", "已通过", "已退回"]),
            moment + timedelta(minutes=i),
        )
        for i in range(count)
    ]


def write_openpyxl(rows: list[tuple], out: str) -> None:
    """Bare openpyxl write-only: a header and the rows as they are."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("履职记录")
    sheet.append(TITLES)
    for row in rows:
        sheet.append(row)
    workbook.save(out)


def write_xlsxwriter(rows: list[tuple], out: str) -> None:
    """Bare XlsxWriter, constant memory, one typed call per cell."""
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False}
    workbook = xlsxwriter.Workbook(out, options)
    sheet = workbook.add_worksheet("履职记录")
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, TITLES)
    text, number, when = sheet.write_string, sheet.write_number, sheet.write_datetime
    for r, row in enumerate(rows, start=1):
        when(r, 0, row[0], day)
        text(r, 1, row[1])
        text(r, 2, row[2])
        text(r, 3, row[3])
        number(r, 4, row[4])
        number(r, 5, row[5])
        text(r, 6, row[6])
        when(r, 7, row[7], moment)
    workbook.close()


def write_rustpy(rows: list[tuple], out: str) -> None:
    """rustpy-xlsxwriter: dict records, bold frozen header, widths, filter, date formats."""
    import rustpy_xlsxwriter as rp

    formats = {
        "日期": rp.Format().set_num_format("yyyy-mm-dd"),
        "填报时间": rp.Format().set_num_format("yyyy-mm-dd hh:mm:ss"),
    }
    rp.write_worksheet(
        (dict(zip(TITLES, row, strict=True)) for row in rows),
        out,
        sheet_name="履职记录",
        freeze_row=1,
        header_format=rp.Format().set_bold().set_background_color("#DDEBF7"),
        autofilter=True,
        column_widths=[c.width for c in COLUMNS],
        column_formats=formats,
    )


def write_ours(rows: list[tuple], out: str) -> None:
    """The project's one writer, with all its formatting, safety and the 合计 row."""
    book = Book(out)
    book.table("履职记录", COLUMNS, rows)
    book.close()


ENGINES = {
    "openpyxl": write_openpyxl,
    "xlsxwriter": write_xlsxwriter,
    "rustpy": write_rustpy,
    "ours": write_ours,
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
    if side == "entries":
        engine = make_engine(url)
        with Session(engine) as session:
            return _timed(lambda: export_entries(session, EntryFilters(), out, zone=ZONE))
    rows = sample_rows()
    return _timed(lambda: _write(side, rows, out))


def _write(side: str, rows: list[tuple], out: str) -> int:
    ENGINES[side](rows, out)
    return len(rows)


def _timed(work) -> dict:
    before = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    rows = work()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak_rss_mb(),
        "start_mb": before,
    }


def available() -> list[str]:
    """The engines installed here (rustpy-xlsxwriter is optional)."""
    try:
        import rustpy_xlsxwriter  # noqa: F401
    except ImportError:
        return [name for name in ENGINES if name != "rustpy"]
    return list(ENGINES)


def run_side(side: str, url: str, folder: str) -> dict:
    """Measure one side in a fresh subprocess."""
    out = str(Path(folder) / f"{side}.xlsx")
    command = [sys.executable, __file__, "--measure", side, url, out]
    answer = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def main() -> None:
    """Build the database once, then time every side in turn, RUNS times, and report."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        engine = make_engine(url)
        upgrade_database(engine)
        with Session(engine) as session:
            count = populate(session, random.Random(7))
        engine.dispose()
        sides = [*available(), "entries"]
        results: dict[str, list[dict]] = {side: [] for side in sides}
        for _ in range(RUNS):
            for side in sides:
                results[side].append(run_side(side, url, folder))
    report(count, results)


def report(count: int, results: dict[str, list[dict]]) -> None:
    """Print best wall and CPU times, the ratios to the fastest engine and peak memory."""
    best = {side: min(r["seconds"] for r in runs) for side, runs in results.items()}
    print(f"{ROWS} rows x {len(COLUMNS)} columns per engine; entries export of {count} entries")
    for side, runs in results.items():
        cpu, peak = min(r["cpu"] for r in runs), max(r["peak_mb"] for r in runs)
        print(
            f"  {side:<11} wall {best[side]:6.2f} s  cpu {cpu:6.2f} s  "
            f"peak RSS {peak:6.1f} MB  (runs: {_runs(runs)})"
        )
    cpu = {side: min(r["cpu"] for r in runs) for side, runs in results.items()}
    engines = [side for side in results if side not in ("ours", "entries")]
    for label, times in (("wall", best), ("cpu", cpu)):
        fastest = min(engines, key=times.__getitem__)
        for side in ("ours", "entries"):
            ratio = times[side] / times[fastest]
            print(f"{side} / fastest engine ({fastest}), {label} time: {ratio:.2f}x")
    peak = max(r["peak_mb"] for r in results["entries"])
    verdict = "ok" if peak < MEMORY_TARGET_MB else "MISSED"
    print(f"entries export peak RSS {peak:.1f} MB (target < {MEMORY_TARGET_MB} MB): {verdict}")


def _runs(runs: list[dict]) -> str:
    return ", ".join(f"{r['seconds']:.2f} s" for r in runs)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        main()
