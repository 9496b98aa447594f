"""The survey template's two sheets declared as column specs: settings rows and question rows.

The same specs write the downloadable template and read the upload (`backend.surveys.excel`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from backend.excel import reader
from backend.excel.spec import CellError, Column, Parse, Spec, text_cell
from backend.models.org import STAFFING_TYPE_LABELS
from backend.models.surveys import AUDIENCE_LABELS, QUESTION_KIND_LABELS, SURVEY_KIND_LABELS
from backend.surveys import texts
from backend.surveys.questions import default_scores

SURVEY_SHEET, QUESTION_SHEET = "问卷", "题目"
YES, NO = "是", "否"
_LIST_SPLIT = re.compile(r"[、,，;；\n]+")
_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d")


def _choice(labels: dict) -> Parse:
    """Parse a cell naming one of `labels`' values into its key."""
    by_label = {label: key for key, label in labels.items()}

    def parse(value: object):
        raw = reader.text(value)
        if raw not in by_label:
            raise CellError(texts.UNKNOWN_VALUE.format(value=raw, allowed="/".join(by_label)))
        return by_label[raw]

    return parse


def _yes_no(value: object) -> bool:
    """Parse exactly 是 or 否."""
    raw = reader.text(value)
    if raw not in (YES, NO):
        raise CellError(texts.UNKNOWN_VALUE.format(value=raw, allowed="是/否"))
    return raw == YES


def _names(value: object) -> list[str]:
    return [n.strip() for n in _LIST_SPLIT.split(reader.text(value)) if n.strip()]


def _departments(departments: dict[str, int]) -> Parse:
    """Parse a list of department names (split by 、 , ;) into their ids."""

    def parse(value: object) -> tuple[int, ...]:
        names = _names(value)
        unknown = [name for name in names if name not in departments]
        if unknown:
            raise CellError(texts.UNKNOWN_DEPARTMENT.format(value="、".join(unknown)))
        return tuple(departments[name] for name in names)

    return parse


def _staffing_types(value: object) -> tuple[str, ...]:
    labels = {label: str(code) for code, label in STAFFING_TYPE_LABELS.items()}
    unknown = [name for name in _names(value) if name not in labels]
    if unknown:
        allowed = "/".join(labels)
        raise CellError(texts.UNKNOWN_VALUE.format(value="、".join(unknown), allowed=allowed))
    return tuple(labels[name] for name in _names(value))


def _time(zone: tzinfo) -> Parse:
    """Parse a date-time cell or text such as 2026-12-01 09:00 in `zone`."""

    def parse(value: object) -> datetime:
        if isinstance(value, datetime):
            return value.replace(tzinfo=zone) if value.tzinfo is None else value
        for pattern in _TIME_FORMATS:
            try:
                return datetime.strptime(reader.text(value), pattern).replace(tzinfo=zone)
            except ValueError:
                continue
        raise CellError(texts.BAD_TIME.format(value=reader.text(value)))

    return parse


SETTINGS_SPEC = Spec(
    "survey",
    (
        Column(
            "标题",
            "title",
            text_cell(200, texts.TOO_LONG),
            required=True,
            example="2026年度部门履职自评",
            note="必填，最多200字",
        ),
        Column(
            "说明",
            "introduction",
            lambda value: reader.text(value)[:2000],
            default="",
            example="请根据本部门实际情况如实填写。",
            note="选填，显示在问卷开头",
        ),
        Column(
            "类型",
            "kind",
            _choice(SURVEY_KIND_LABELS),
            required=True,
            example="自评",
            note="自评 / 互评 / 满意度 / 自定义",
        ),
        Column(
            "被评价部门",
            "targets",
            _departments({}),
            default=(),
            example="县市场监督管理局",
            note="部门全称，多个用“、”隔开",
        ),
        Column(
            "填写对象",
            "audience",
            _choice(AUDIENCE_LABELS),
            required=True,
            example="指定部门",
            note="指定部门 / 按条件 / 相关部门 / 链接",
        ),
        Column(
            "对象部门",
            "audience_departments",
            _departments({}),
            default=(),
            example="县市场监督管理局",
            note="指定部门、按条件时填写，多个用“、”隔开",
        ),
        Column(
            "编制类型",
            "staffing_types",
            _staffing_types,
            default=(),
            note="按条件时可填，如“机关行政编制、事业编制”",
        ),
        Column(
            "排除领导",
            "exclude_leaders",
            _yes_no,
            default=False,
            example=NO,
            note="是 / 否：是否排除占领导职数的人员",
        ),
        Column(
            "开始时间",
            "opens_at",
            _time(UTC),
            required=True,
            example="2026-12-01 09:00",
            note="如 2026-12-01 09:00",
        ),
        Column(
            "截止时间",
            "closes_at",
            _time(UTC),
            required=True,
            example="2026-12-10 18:00",
            note="须晚于开始时间",
        ),
        Column("匿名", "anonymous", _yes_no, default=False, example=NO, note="是 / 否"),
    ),
    sheet=SURVEY_SHEET,
    blank=texts.EMPTY_VALUE,
)
BOUND = ("targets", "audience_departments", "opens_at", "closes_at")


def settings_spec(departments: dict[str, int], zone: tzinfo) -> Spec:
    """Return the settings spec reading this upload's department names and times in `zone`."""
    named, timed = _departments(departments), _time(zone)
    parsers = dict(zip(BOUND, (named, named, timed, timed), strict=True))
    columns = tuple(replace(c, parse=parsers.get(c.key, c.parse)) for c in SETTINGS_SPEC.columns)
    return replace(SETTINGS_SPEC, columns=columns)


def _options(value: object) -> tuple[tuple[str, float], ...]:
    """Parse 好=100|一般=60|差=0 (scores optional: spread evenly from 100 to 0)."""
    parts = [p.strip() for p in reader.text(value).split("|") if p.strip()]
    options = []
    for part, default in zip(parts, default_scores(len(parts)), strict=True):
        label, sep, score = part.partition("=")
        try:
            found = float(score) if sep else default
        except ValueError:
            found = -1.0
        if not 0 <= found <= 100:
            raise CellError(texts.OPTION_SCORE.format(value=part))
        options.append((label.strip(), found))
    return tuple(options)


def _weight(value: object) -> float:
    raw = reader.text(value)
    try:
        weight = float(raw)
    except ValueError:
        raise CellError(texts.BAD_NUMBER.format(value=raw)) from None
    if weight < 0:
        raise CellError(texts.BAD_WEIGHT)
    return weight


QUESTION_SPEC = Spec(
    "survey_questions",
    (
        Column("序号", "seq", example=1, width=6, note="题目顺序，仅供核对"),
        Column(
            "题目",
            "text",
            text_cell(500, texts.TOO_LONG),
            required=True,
            width=40,
            example="本部门职责履行情况如何？",
            note="必填，最多500字",
        ),
        Column(
            "题型",
            "kind",
            _choice(QUESTION_KIND_LABELS),
            required=True,
            width=12,
            example="单选",
            note="/".join(QUESTION_KIND_LABELS.values()),
        ),
        Column(
            "选项",
            "options",
            _options,
            default=(),
            width=40,
            example="很好=100|一般=60|较差=0",
            note="选择题填写，用“|”隔开，可写分值",
        ),
        Column(
            "必答", "required", _yes_no, default=True, width=6, example=YES, note="是 / 否，默认是"
        ),
        Column("权重", "weight", _weight, default=0.0, width=8, example=40, note="0 或正数"),
    ),
    sheet=QUESTION_SHEET,
    blank=texts.EMPTY_VALUE,
)
QUESTION_HEADERS = QUESTION_SPEC.titles()
