"""The Excel template for surveys: download it, fill it, upload it; errors name row and column.

Two sheets, each declared once as a column spec (`excel_columns`) that both writes the template
and reads the upload: the settings sheet (问卷: one row per field, 项目 | 内容 | 说明) and the
question sheet (题目: one row per question), read by the one importer.
"""

from __future__ import annotations

import io
from datetime import datetime, tzinfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from backend.excel import importer, reader
from backend.excel.importer import Fail, ParsedRow
from backend.excel.reader import RowError, WorkbookError
from backend.models.surveys import AudienceKind, QuestionKind, SurveyKind
from backend.surveys import texts
from backend.surveys.excel_columns import (
    NO,
    QUESTION_HEADERS,
    QUESTION_SHEET,
    QUESTION_SPEC,
    SETTINGS_SPEC,
    SURVEY_SHEET,
    YES,
    settings_spec,
)
from backend.surveys.spec import Audience, QuestionSpec, SurveySpec

EXAMPLE_QUESTIONS = [
    (1, "本部门职责履行情况如何？", "单选", "很好=100|较好=80|一般=60|较差=0", YES, 40),
    (2, "内设机构运转是否顺畅？", "评分1-5", "", YES, 30),
    (3, "对本部门工作量饱和度打分", "打分0-100", "", YES, 30),
    (4, "意见和建议", "填空", "", NO, 0),
]
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
MAX_QUESTIONS = 300
MAX_SHEET_ROWS = 20 * MAX_QUESTIONS  # blank formatted rows count here, not as questions
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
    assert isinstance(sheet, Worksheet)  # a new workbook opens on its one worksheet
    sheet.title = SURVEY_SHEET
    sheet.append(["项目", "内容", "说明"])
    for column in SETTINGS_SPEC.columns:
        sheet.append([column.title, column.example, column.note])
    questions = book.create_sheet(QUESTION_SHEET)
    questions.append(QUESTION_HEADERS)
    for row in EXAMPLE_QUESTIONS:
        questions.append(list(row))
    widths = [c.width for c in QUESTION_SPEC.columns]
    for ws, sizes in ((sheet, (14, 40, 50)), (questions, widths)):
        for index, width in enumerate(sizes, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parse_template(data: bytes, *, departments: dict[str, int], zone: tzinfo) -> SurveySpec:
    """Read an uploaded template into a survey spec, or raise TemplateErrors listing problems."""
    book = _open(data)
    missing = [name for name in (SURVEY_SHEET, QUESTION_SHEET) if name not in book.sheetnames]
    if missing:
        raise TemplateErrors([texts.SHEET_MISSING.format(sheet=name) for name in missing])
    problems: list[str] = []
    try:
        settings = importer.parse_fields(book[SURVEY_SHEET], settings_spec(departments, zone))
        questions = _questions(book[QUESTION_SHEET], problems)
    except importer.MissingColumns as exc:
        raise TemplateErrors([f"工作表“{QUESTION_SHEET}”{exc}"]) from exc
    except importer.CellTooLong as exc:
        raise TemplateErrors([_problem(QUESTION_SHEET, exc.error, exc.letter)]) from exc
    except WorkbookError as exc:  # a truncated or corrupt sheet, a missing column
        raise TemplateErrors([str(exc)]) from exc
    survey = _survey(settings, questions, zone)
    problems[:0] = [_problem(SURVEY_SHEET, e, "B") for e in settings.errors]
    if problems:
        raise TemplateErrors(problems)
    return survey


def _open(data: bytes):
    try:
        return reader.open_workbook(data, max_uncompressed=MAX_UNZIPPED)
    except WorkbookError as exc:
        problem = texts.TOO_BIG if "解压" in str(exc) else texts.NOT_A_WORKBOOK
        raise TemplateErrors([problem]) from None


def _problem(sheet: str, error: RowError, letter: str) -> str:
    """Word one row error the template's way: sheet, row, column letter and header."""
    if not error.row:
        return texts.MISSING_ROW.format(sheet=sheet, header=error.column)
    return texts.CELL_PROBLEM.format(
        sheet=sheet, row=error.row, column=letter, header=error.column, problem=error.reason
    )


def _survey(
    settings: importer.ParsedFields, questions: tuple[QuestionSpec, ...], zone: tzinfo
) -> SurveySpec:
    """Build the survey from its settings, adding the rules that span two fields."""
    values, fail = settings.values, _field_fail(settings)
    if not values.get("targets") and "被评价部门" not in {e.column for e in settings.errors}:
        fail("被评价部门", texts.NO_TARGETS)
    opens, closes = values["opens_at"], values["closes_at"]
    if opens and closes and closes <= opens:
        fail("截止时间", texts.CLOSE_BEFORE_OPEN)
    audience = Audience(
        kind=values["audience"] or AudienceKind.DEPARTMENTS,
        department_ids=values["audience_departments"],
        staffing_types=values["staffing_types"],
        exclude_leaders=values["exclude_leaders"],
    )
    fallback = datetime.now(zone)
    return SurveySpec(
        title=values["title"] or "",
        kind=values["kind"] or SurveyKind.CUSTOM,
        opens_at=opens or fallback,
        closes_at=closes or fallback,
        target_department_ids=values["targets"],
        audience=audience,
        introduction=values["introduction"],
        anonymous=values["anonymous"],
        questions=questions,
    )


def _field_fail(settings: importer.ParsedFields) -> Fail:
    def fail(title: str, reason: str) -> None:
        settings.errors.append(RowError(settings.rows.get(title, 0), title, reason))

    return fail


def _questions(sheet, problems: list[str]) -> tuple[QuestionSpec, ...]:
    """Read the question sheet with the one importer; word its errors into `problems`."""
    parsed = importer.parse_sheet(sheet, QUESTION_SPEC, max_rows=MAX_SHEET_ROWS)
    if len(parsed.rows) > MAX_QUESTIONS:
        raise TemplateErrors([texts.TOO_MANY_QUESTIONS.format(limit=MAX_QUESTIONS)])
    found, report = importer.validate(parsed, _question)
    problems += [_problem(QUESTION_SHEET, e, _letter(parsed, e.column)) for e in report.errors]
    if not parsed.rows:
        problems.append(_problem(QUESTION_SHEET, RowError(2, "题目", texts.NO_QUESTIONS), "B"))
    return tuple(found)


def _letter(parsed: importer.ParsedSheet, title: str) -> str:
    """Return a column's letter in the upload, or in the template when the upload lacks it."""
    return parsed.letters.get(title) or get_column_letter(parsed.spec.order(title) + 1)


def _question(row: ParsedRow, fail: Fail) -> QuestionSpec | None:
    """Check the rules between a question's cells: options only for choices, no text weight."""
    values, kind = row.values, row.values.get("kind")
    if kind is not None and "options" in values:
        if kind not in CHOICE_KINDS and values["options"]:
            fail("选项", texts.OPTIONS_FORBIDDEN)
        elif kind in CHOICE_KINDS and len(values["options"]) < 2:
            fail("选项", texts.OPTIONS_NEEDED)
    if kind == QuestionKind.TEXT and values.get("weight"):
        fail("权重", texts.TEXT_WEIGHT)
    if row.failed:
        return None
    return QuestionSpec(
        values["text"],
        QuestionKind(values["kind"]),
        values["options"],
        values["required"],
        values["weight"],
    )
