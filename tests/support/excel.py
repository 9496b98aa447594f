"""Building import workbooks in tests, the way an office would fill in the template."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from backend.excel.templates import template_bytes
from backend.web.console.imports import TEMPLATES


def filled_template(kind: str, rows: list[list]) -> bytes:
    """Return the console's template for `kind` with these data rows filled in."""
    _, data = template_bytes(TEMPLATES[kind])
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_workbook(rows: list[list]) -> bytes:
    """Return a workbook with exactly these rows (header included)."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_back(data: bytes, sheet: int = 0):
    """Open an exported workbook (full mode, to see styles) and return its sheet."""
    return load_workbook(io.BytesIO(data)).worksheets[sheet]


MARKET = "县市场监督管理局"
GOOD_ROSTER = [
    [MARKET, "食品安全监管股", "孙丽", "sunli", "机关行政编制", "科员", "否", "否", "是", "", "是",
     "2024-03-01"],
    [MARKET, "登记注册股", "周强", "zhouqiang", "事业编制", "", "", "", "", "审核员", "", ""],
    ["县民政局", "", "吴敏", "wumin", "编外", "窗口受理", "否", "否", "是", "", "", ""],
]  # fmt: skip

DUTY_LIST = [
    ["县民政局", 1, "负责社会救助工作，组织实施最低生活保障制度", "核心职能", "业务", 6],
    ["县民政局", 2, "负责养老服务体系建设和监督管理", "核心职能", "业务", ""],
    ["县民政局", 3, "负责婚姻登记管理", "一般职能", "", 4],
    ["县民政局", 4, "负责机关党建和干部队伍建设", "辅助职能", "党建", ""],
]


def add_sample_entries(session, *, work_date=None) -> dict[str, int]:
    """Log three entries through the entry service (so they are flagged like real ones)."""
    from datetime import date

    from sqlmodel import select

    from backend.entries.service import EntryFields, create_entry
    from backend.models import Duty, Staff

    day = work_date or date(2026, 3, 3)
    staff = {s.wecom_userid: s for s in session.exec(select(Staff))}
    duty = session.exec(select(Duty).where(Duty.seq == 1)).first()
    texts = {
        "alice": ("检查城关镇12家餐饮店后厨卫生，责令3家限期整改并复查", 6.0, 12),
        "bob": ("=1+1", 2.0, None),
        "erin": ("@SUM(A1) 核查河西乡低保家庭收入情况，形成台账", 4.0, 3),
    }
    ids = {}
    for userid, (text, hours, items) in texts.items():
        fields = EntryFields(day, duty.id, None, "business", hours, items, text)
        entry = create_entry(session, staff=staff[userid], fields=fields, client_key=f"t-{userid}")
        ids[userid] = entry.id
    session.commit()
    return ids


def large_roster(count: int, department: str = "县民政局") -> bytes:
    """Return the roster template with `count` valid rows, written as raw sheet XML.

    openpyxl needs ≈25 µs per cell (a minute for 200,000 rows); splicing inline-string rows
    into the template's first sheet takes about a second and reads back the same.
    """
    import re
    import zipfile
    from xml.sax.saxutils import escape

    _, template = template_bytes(TEMPLATES["roster"])
    source = zipfile.ZipFile(io.BytesIO(template))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    header = re.search(r"<row r=\"1\".*?</row>", sheet).group(0)

    def cell(column: str, row: int, value: str) -> str:
        return f'<c r="{column}{row}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    rows = [header]
    for index in range(count):
        number = index + 2
        values = (department, "", f"人员{index}", f"bulk{index:06d}", "机关行政编制")
        cells = "".join(cell(c, number, v) for c, v in zip("ABCDE", values, strict=True) if v)
        rows.append(f'<row r="{number}">{cells}</row>')
    data = re.sub(
        r"<sheetData>.*</sheetData>|<sheetData/>",
        lambda _: "<sheetData>" + "".join(rows) + "</sheetData>",
        sheet,
        flags=re.S,
    )
    last = get_column_letter(len(TEMPLATES["roster"].columns))
    data = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}{count + 1}"/>', data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = data.encode() if member.filename == "xl/worksheets/sheet1.xml" else None
            target.writestr(member.filename, body or source.read(member.filename))
    return buffer.getvalue()
