"""Measure the weekly post's image for every demo department: pixels, bytes and render time.

Run from any checkout (it uses only `weekly_image` and `department_report`), so the same script
measures the image before and after a layout change.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from io import BytesIO
from pathlib import Path

from PIL import Image
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.db import make_engine
from backend.demo import seed_demo
from backend.migrate import upgrade_database
from backend.models import saved_id
from backend.reports.data import department_report
from backend.reports.periods import parse_period
from backend.reports.queries import reporting_departments
from backend.reports.weekly import weekly_image


def main() -> None:
    """Render each department's image of the week of 2026-11-16 and print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_database(engine)
        with Session(engine) as session:
            seed_demo(session, end_date=date(2026, 11, 22))
            session.commit()
            period = parse_period("week", "2026-W47", today=date(2026, 11, 23))
            reports = [
                department_report(session, department_id=saved_id(d), period=period)
                for d in reporting_departments(session)
            ]
        weekly_image(reports[0])  # fonts and matplotlib warmed up before timing
        sizes, seconds, heights = [], [], []
        for report in reports:
            started = time.perf_counter()
            png = weekly_image(report)
            seconds.append(time.perf_counter() - started)
            sizes.append(len(png))
            width, height = Image.open(BytesIO(png)).size
            heights.append(height)
        engine.dispose()
    print(
        f"weekly image, {len(reports)} departments: {width} px wide, "
        f"{min(heights)}–{max(heights)} px tall (median {statistics.median(heights):.0f}); "
        f"{statistics.median(sizes) / 1024:.0f} KB median ({max(sizes) / 1024:.0f} KB max); "
        f"render {statistics.median(seconds) * 1000:.0f} ms median "
        f"({max(seconds) * 1000:.0f} ms max)"
    )


if __name__ == "__main__":
    main()
