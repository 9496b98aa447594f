"""The roster import's columns: one spec drives the template and the importer."""

from __future__ import annotations

from backend.excel import spec
from backend.excel.labels import ROLE_LABELS, STAFFING_LABELS
from backend.excel.reader import text
from backend.excel.spec import Column, Spec
from backend.models.staffing import EDUCATION_LABELS, GENDER_LABELS
from backend.org.work_patterns import WorkPatternError, parse_weekdays

USERID = r"^[A-Za-z0-9_.@-]{1,64}$"
STAFFING_BY_LABEL = {label: code for code, label in STAFFING_LABELS.items()} | {
    "行政编制": "administrative",
    "工勤编制": "logistics",
    "工勤": "logistics",
    **{code: code for code in STAFFING_LABELS},
}
ROLES = ROLE_LABELS | {code: code for code in ROLE_LABELS.values()}
GENDERS = {label: code.value for code, label in GENDER_LABELS.items()} | {
    "男性": "male",
    "女性": "female",
    **{code.value: code.value for code in GENDER_LABELS},
}
EDUCATIONS = {label: code.value for code, label in EDUCATION_LABELS.items()} | {
    "研究生及以上": "postgraduate",
    "硕士研究生": "postgraduate",
    "博士研究生": "postgraduate",
    "本科": "bachelor",
    "大专": "college",
    "专科": "college",
    "中专": "secondary",
    "高中": "secondary",
    **{code.value: code.value for code in EDUCATION_LABELS},
}
PERSONAL = ("birth_date", "gender", "education")  # optional: blank keeps what is on file
YES_NO = ("是", "否")


def _work_days(value: object) -> str:
    """Parse 工作日 into ISO weekday digits; "" is the office calendar."""
    try:
        return parse_weekdays(text(value))
    except WorkPatternError as exc:
        raise spec.CellError(str(exc)) from None


def _flag(title: str, key: str, note: str, *, default: bool = False) -> Column:
    return Column(
        title,
        key,
        spec.yes_no_cell(),
        example="否",
        note=note,
        width=10,
        choices=YES_NO,
        default=default,
    )


def _personal(title: str, key: str, labels: dict, options: dict, example: str) -> Column:
    names = tuple(labels.values())
    allowed = "、".join(names)

    def message(raw: str, _options: dict) -> str:
        return f"“{raw}”不是有效的{title}，应为：{allowed}（或留空）"

    return Column(
        title,
        key,
        spec.choice_cell(options, message),
        example=example,
        width=12,
        choices=names,
        note=f"{allowed}；留空则保持不变（未知）",
    )


ROSTER_SPEC = Spec(
    "roster",
    (
        Column(
            "部门",
            "department",
            required=True,
            example="县民政局",
            width=24,
            note="部门或事业单位全称（或简称），须已在“组织”中存在",
        ),
        Column(
            "科室",
            "section",
            spec.text_cell(100),
            example="社会救助股",
            width=16,
            note="所在科室（股室），不存在时自动新建",
            default="",
        ),
        Column(
            "姓名",
            "name",
            spec.text_cell(50),
            required=True,
            example="张三",
            width=10,
            note="不超过 50 字",
        ),
        Column(
            "企业微信账号",
            "userid",
            required=True,
            example="zhangsan",
            width=18,
            parse=spec.pattern_cell(USERID, "只能包含字母、数字和 _ . @ -，不超过 64 位"),
            note="企业微信通讯录中的账号（userid），唯一",
        ),
        Column(
            "编制类型",
            "staffing_type",
            spec.choice_cell(STAFFING_BY_LABEL),
            required=True,
            example="机关行政编制",
            width=14,
            choices=tuple(STAFFING_LABELS.values()),
            note="机关行政编制、事业编制、机关工勤编制或编外",
        ),
        Column(
            "职务",
            "post",
            spec.text_cell(50),
            example="科员",
            width=14,
            note="职务或岗位，不超过 50 字",
            default="",
        ),
        _flag("占领导职数", "is_leader", "是/否，默认否（占领导职数的不参与评估）"),
        _flag("主要负责人", "is_principal_head", "是/否：部门主要负责同志，接收通知"),
        _flag("面向群众", "public_facing", "是/否：窗口等面向群众的岗位，生成监督二维码"),
        Column(
            "角色",
            "role",
            spec.choice_cell(ROLES),
            example="工作人员",
            width=10,
            choices=tuple(ROLE_LABELS),
            default="staff",
            note="工作人员、审核员、部门负责人或管理员，默认工作人员",
        ),
        _flag("在职", "active", "是/否，默认是", default=True),
        Column(
            "入职日期",
            "joined_on",
            spec.date_cell(),
            example="2024-03-01",
            width=12,
            note="日期，如 2024-03-01",
        ),
        Column(
            "出生日期",
            "birth_date",
            spec.date_cell("日期格式应为 YYYY-MM-DD，如 1988-06-15"),
            example="1988-06-15",
            width=12,
            note="日期，如 1988-06-15；留空则保持不变（未知）",
        ),
        _personal("性别", "gender", GENDER_LABELS, GENDERS, "男"),
        _personal("学历", "education", EDUCATION_LABELS, EDUCATIONS, "大学本科"),
        Column(
            "工作日",
            "work_days",
            _work_days,
            example="周一至周五",
            width=14,
            note="本人每周上班的日子，如“周二至周六”“2-6”“周一、周三、周五”；"
            "填“标准”或“周一至周五”则按单位日历；留空则保持不变",
            aliases=("工作日安排", "上班日", "排班"),
        ),
    ),
    filename="人员名册导入模板.xlsx",
    sheet="人员名册",
)
