"""The Excel template for surveys: download it, fill it, upload it; errors name row and column."""

from __future__ import annotations

import io
import re
from datetime import datetime, tzinfo
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from backend.excel.reader import WorkbookError, check_archive, sheet_values
from backend.models.org import STAFFING_TYPE_LABELS
from backend.models.surveys import (
    AUDIENCE_LABELS,
    QUESTION_KIND_LABELS,
    SURVEY_KIND_LABELS,
    AudienceKind,
    QuestionKind,
    SurveyKind,
)
from backend.surveys import texts
from backend.surveys.questions import default_scores
from backend.surveys.spec import Audience, QuestionSpec, SurveySpec

SURVEY_SHEET, QUESTION_SHEET = "问卷", "题目"
QUESTION_HEADERS = ["序号", "题目", "题型", "选项", "必答", "权重"]
YES, NO = "是", "否"
SETTINGS = [
    ("标题", "2026年度部门履职自评", "必填，最多200字"),
    ("说明", "请根据本部门实际情况如实填写。", "选填，显示在问卷开头"),
    ("类型", "自评", "自评 / 互评 / 满意度 / 自定义"),
    ("被评价部门", "县市场监督管理局", "部门全称，多个用“、”隔开"),
    ("填写对象", "指定部门", "指定部门 / 按条件 / 相关部门 / 链接"),
    ("对象部门", "县市场监督管理局", "指定部门、按条件时填写，多个用“、”隔开"),
    ("编制类型", "", "按条件时可填，如“机关行政编制、事业编制”"),
    ("排除领导", NO, "是 / 否：是否排除占领导职数的人员"),
    ("开始时间", "2026-12-01 09:00", "如 2026-12-01 09:00"),
    ("截止时间", "2026-12-10 18:00", "须晚于开始时间"),
    ("匿名", NO, "是 / 否"),
]
EXAMPLE_QUESTIONS = [
    (1, "本部门职责履行情况如何？", "单选", "很好=100|较好=80|一般=60|较差=0", YES, 40),
    (2, "内设机构运转是否顺畅？", "评分1-5", "", YES, 30),
    (3, "对本部门工作量饱和度打分", "打分0-100", "", YES, 30),
    (4, "意见和建议", "填空", "", NO, 0),
]
_LIST_SPLIT = re.compile(r"[、,，;；\n]+")
_LIMITS = {"标题": 200}
MAX_QUESTIONS = 300
MAX_UNZIPPED = 50 * 1024 * 1024  # two small sheets; a bigger unzipped file is refused unread


class TemplateErrors(ValueError):
    """The uploaded workbook has problems; each names its sheet, row and column."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def template_xlsx() -> bytes:
    """Return the empty template with a filled example."""
    book = Workbook()
    sheet = book.active
    sheet.title = SURVEY_SHEET
    sheet.append(["项目", "内容", "说明"])
    for row in SETTINGS:
        sheet.append(list(row))
    questions = book.create_sheet(QUESTION_SHEET)
    questions.append(QUESTION_HEADERS)
    for row in EXAMPLE_QUESTIONS:
        questions.append(list(row))
    for ws, widths in ((sheet, (14, 40, 50)), (questions, (6, 40, 12, 40, 6, 8))):
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Reader:
    """Collects problems while reading cells, each with its place."""

    def __init__(self, departments: dict[str, int], zone: tzinfo):
        self.departments, self.zone, self.problems = departments, zone, []

    def fail(self, sheet: str, row: int | None, column: int, header: str, problem: str) -> None:
        if row is None:
            self.problems.append(texts.MISSING_ROW.format(sheet=sheet, header=header))
            return
        letter = get_column_letter(column)
        self.problems.append(
            texts.CELL_PROBLEM.format(
                sheet=sheet, row=row, column=letter, header=header, problem=problem
            )
        )

    def choice(self, value, allowed: dict, place: tuple) -> object:
        text = _text(value)
        found = next((key for key, label in allowed.items() if label == text), None)
        if found is None:
            shown = "/".join(allowed.values())
            self.fail(*place, texts.UNKNOWN_VALUE.format(value=text, allowed=shown) if text
                      else texts.EMPTY_VALUE)  # fmt: skip
        return found

    def time(self, value, place: tuple) -> datetime | None:
        if isinstance(value, datetime):
            return value.replace(tzinfo=self.zone) if value.tzinfo is None else value
        for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d"):
            try:
                return datetime.strptime(_text(value), pattern).replace(tzinfo=self.zone)
            except ValueError:
                continue
        self.fail(*place, texts.BAD_TIME.format(value=_text(value)) if _text(value)
                  else texts.EMPTY_VALUE)  # fmt: skip
        return None

    def department_ids(self, value, place: tuple) -> tuple[int, ...]:
        found = []
        for name in (n.strip() for n in _LIST_SPLIT.split(_text(value)) if n.strip()):
            if name not in self.departments:
                self.fail(*place, texts.UNKNOWN_DEPARTMENT.format(value=name))
            else:
                found.append(self.departments[name])
        return tuple(found)

    def yes_no(self, value, place: tuple) -> bool:
        text = _text(value) or NO
        if text not in (YES, NO):
            self.fail(*place, texts.UNKNOWN_VALUE.format(value=text, allowed="是/否"))
        return text == YES


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_template(data: bytes, *, departments: dict[str, int], zone: tzinfo) -> SurveySpec:
    """Read an uploaded template into a survey spec, or raise TemplateErrors listing problems."""
    _check_size(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise TemplateErrors([texts.NOT_A_WORKBOOK]) from exc
    missing = [name for name in (SURVEY_SHEET, QUESTION_SHEET) if name not in book.sheetnames]
    if missing:
        raise TemplateErrors([texts.SHEET_MISSING.format(sheet=name) for name in missing])
    reader = _Reader(departments, zone)
    try:
        settings = _settings(book[SURVEY_SHEET])
        spec = _spec(reader, settings, _questions(reader, book[QUESTION_SHEET]))
    except WorkbookError as exc:  # a truncated or corrupt sheet
        raise TemplateErrors([str(exc)]) from exc
    if reader.problems:
        raise TemplateErrors(reader.problems)
    return spec


def _check_size(data: bytes) -> None:
    try:
        check_archive(data, max_uncompressed=MAX_UNZIPPED)
    except WorkbookError as exc:
        problem = texts.TOO_BIG if "解压" in str(exc) else texts.NOT_A_WORKBOOK
        raise TemplateErrors([problem]) from None


def _settings(sheet) -> dict[str, tuple[int, object]]:
    found = {}
    for row, cells in enumerate(sheet_values(sheet, min_row=2, max_col=2), 2):
        key = _text(cells[0]) if cells else ""
        if key:
            found[key] = (row, cells[1] if len(cells) > 1 else None)
    return found


def _spec(reader: _Reader, settings: dict, questions: tuple[QuestionSpec, ...]) -> SurveySpec:
    def cell(name: str) -> tuple[object, tuple]:
        row, value = settings.get(name, (0, None))
        return value, (SURVEY_SHEET, row or None, 2, name)

    title = _required_text(reader, *cell("标题"))
    kind = _choice(reader, cell("类型"), SURVEY_KIND_LABELS)
    targets = reader.department_ids(*cell("被评价部门"))
    if not _text(cell("被评价部门")[0]):
        reader.fail(*cell("被评价部门")[1], texts.NO_TARGETS)
    opens, closes = reader.time(*cell("开始时间")), reader.time(*cell("截止时间"))
    if opens and closes and closes <= opens:
        reader.fail(*cell("截止时间")[1], texts.CLOSE_BEFORE_OPEN)
    audience = Audience(
        kind=_choice(reader, cell("填写对象"), AUDIENCE_LABELS) or AudienceKind.DEPARTMENTS,
        department_ids=reader.department_ids(*cell("对象部门")),
        staffing_types=_staffing_types(reader, *cell("编制类型")),
        exclude_leaders=reader.yes_no(*cell("排除领导")),
    )
    fallback = datetime.now(reader.zone)
    return SurveySpec(title=title, kind=kind or SurveyKind.CUSTOM, opens_at=opens or fallback,
                      closes_at=closes or fallback, target_department_ids=targets,
                      audience=audience, introduction=_text(cell("说明")[0])[:2000],
                      anonymous=reader.yes_no(*cell("匿名")), questions=questions)  # fmt: skip


def _choice(reader: _Reader, cell: tuple, allowed: dict):
    value, place = cell
    return reader.choice(value, allowed, place)


def _required_text(reader: _Reader, value, place: tuple) -> str:
    text = _text(value)
    limit = _LIMITS.get(place[3], 500)
    if not text:
        reader.fail(*place, texts.EMPTY_VALUE)
    elif len(text) > limit:
        reader.fail(*place, texts.TOO_LONG.format(limit=limit))
    return text


def _staffing_types(reader: _Reader, value, place: tuple) -> tuple[str, ...]:
    labels = {label: str(code) for code, label in STAFFING_TYPE_LABELS.items()}
    names = [n.strip() for n in _LIST_SPLIT.split(_text(value)) if n.strip()]
    for name in names:
        if name not in labels:
            reader.fail(*place, texts.UNKNOWN_VALUE.format(value=name, allowed="/".join(labels)))
    return tuple(labels[n] for n in names if n in labels)


def _questions(reader: _Reader, sheet) -> tuple[QuestionSpec, ...]:
    found = []
    for row, cells in enumerate(sheet_values(sheet, min_row=2, max_col=6), 2):
        cells = list(cells) + [None] * (6 - len(cells))
        if all(_text(c) == "" for c in cells):
            continue
        if len(found) == MAX_QUESTIONS:
            raise TemplateErrors([texts.TOO_MANY_QUESTIONS.format(limit=MAX_QUESTIONS)])
        found.append(_question(reader, row, cells))
    if not found:
        reader.fail(QUESTION_SHEET, 2, 2, "题目", texts.NO_QUESTIONS)
    return tuple(q for q in found if q is not None)


def _question(reader: _Reader, row: int, cells: list) -> QuestionSpec | None:
    place = lambda column: (QUESTION_SHEET, row, column, QUESTION_HEADERS[column - 1])  # noqa: E731
    text = _required_text(reader, cells[1], place(2))
    kind = reader.choice(cells[2], QUESTION_KIND_LABELS, place(3))
    options = _options(reader, kind, cells[3], place(4))
    weight = _weight(reader, kind, cells[5], place(6))
    required = reader.yes_no(cells[4] if _text(cells[4]) else YES, place(5))
    if kind is None or weight is None or options is None:
        return None
    return QuestionSpec(text, QuestionKind(kind), options, required, weight)


def _options(reader: _Reader, kind, value, place: tuple) -> tuple | None:
    parts = [p.strip() for p in _text(value).split("|") if p.strip()]
    if kind is None:
        return ()  # the kind is wrong already; its options cannot be judged
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if parts:
            reader.fail(*place, texts.OPTIONS_FORBIDDEN)
            return None
        return ()
    if len(parts) < 2:
        reader.fail(*place, texts.OPTIONS_NEEDED)
        return None
    return _scored(reader, parts, place)


def _scored(reader: _Reader, parts: list[str], place: tuple) -> tuple | None:
    defaults, options = default_scores(len(parts)), []
    for part, default in zip(parts, defaults, strict=True):
        label, sep, score = part.partition("=")
        try:
            value = float(score) if sep else default
        except ValueError:
            value = -1.0
        if not 0 <= value <= 100:
            reader.fail(*place, texts.OPTION_SCORE.format(value=part))
            return None
        options.append((label.strip(), value))
    return tuple(options)


def _weight(reader: _Reader, kind, value, place: tuple) -> float | None:
    text = _text(value) or "0"
    try:
        weight = float(text)
    except ValueError:
        reader.fail(*place, texts.BAD_NUMBER.format(value=text))
        return None
    if weight < 0:
        reader.fail(*place, texts.BAD_WEIGHT)
        return None
    if kind == QuestionKind.TEXT and weight:
        reader.fail(*place, texts.TEXT_WEIGHT)
        return None
    return weight
