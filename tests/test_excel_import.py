"""Roster and duty-list imports: every row validated, all or nothing, re-import changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from backend.excel.reader import WorkbookError
from backend.excel.templates import template_bytes
from backend.models import Duty, Section, Staff
from backend.models.staffing import Education, Gender
from backend.org.duty_import import import_duties
from backend.org.roster_import import ROSTER_SPEC, import_roster
from backend.web.console.imports import TEMPLATES
from tests.support.excel import DUTY_LIST, GOOD_ROSTER, filled_template, plain_workbook, read_back
from tests.support.org import add_small_county


@pytest.fixture
def session(session):
    add_small_county(session)
    session.commit()
    return session


def _staff_count(session) -> int:
    return len(session.exec(select(Staff)).all())


def test_templates_have_a_bold_frozen_header_and_notes():
    _, data = template_bytes(TEMPLATES["roster"])
    sheet = read_back(data)
    assert sheet["A1"].value == "部门*" and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert read_back(data, 1).title == "填写说明"


def test_good_roster_is_imported_and_reimport_changes_nothing(session):
    before = _staff_count(session)
    data = filled_template("roster", GOOD_ROSTER)
    report = import_roster(session, data)
    session.commit()
    assert report.errors == [] and report.created == 3 and report.applied
    assert _staff_count(session) == before + 3
    sun = session.exec(select(Staff).where(Staff.wecom_userid == "sunli")).one()
    assert sun.public_facing and sun.post == "科员" and sun.joined_on.isoformat() == "2024-03-01"
    assert session.exec(select(Section).where(Section.name == "登记注册股")).one()
    again = import_roster(session, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert not session.dirty and not session.new


def test_roster_changes_update_existing_staff(session):
    import_roster(session, filled_template("roster", GOOD_ROSTER))
    session.commit()
    changed = [list(GOOD_ROSTER[0]), *GOOD_ROSTER[1:]]
    changed[0][5] = "副股长"
    report = import_roster(session, filled_template("roster", changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)


def test_bad_rows_are_all_reported_and_nothing_is_imported(session):
    before = _staff_count(session)
    bad = [
        *GOOD_ROSTER,
        ["县财政局", "", "钱多", "qianduo", "机关行政编制"],
        ["县民政局", "", "", "bad id!", "合同工", "", "也许"],
        ["县民政局", "", "孙丽二", "sunli", "编外", "", "", "", "", "", "", "2024-13-45"],
    ]
    report = import_roster(session, filled_template("roster", bad))
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (5, "部门"), (6, "姓名"), (6, "企业微信账号"), (6, "编制类型"), (6, "占领导职数"),
        (7, "入职日期"),
    }  # fmt: skip
    assert "找不到部门“县财政局”" in report.errors[0].reason
    assert not report.applied
    session.rollback()
    assert _staff_count(session) == before


def test_personal_columns_are_imported_and_blank_keeps_what_is_on_file(session):
    rows = [[*GOOD_ROSTER[0], "1988-06-15", "女", "大学本科"], [*GOOD_ROSTER[1], "", "男", ""]]
    report = import_roster(session, filled_template("roster", rows))
    session.commit()
    assert report.errors == [] and report.created == 2
    sun = session.exec(select(Staff).where(Staff.wecom_userid == "sunli")).one()
    assert sun.birth_date.isoformat() == "1988-06-15"
    assert (sun.gender, sun.education) == (Gender.FEMALE, Education.BACHELOR)
    zhou = session.exec(select(Staff).where(Staff.wecom_userid == "zhouqiang")).one()
    assert (zhou.birth_date, zhou.gender, zhou.education) == (None, "male", None)
    blank = import_roster(session, filled_template("roster", GOOD_ROSTER[:2]))
    session.commit()
    assert (blank.updated, blank.unchanged) == (0, 2)
    session.refresh(sun)
    assert sun.gender == "female" and sun.birth_date is not None


def test_an_old_roster_without_the_personal_columns_still_imports(session):
    header = ROSTER_SPEC.titles()[:12]
    assert header[-1] == "入职日期"  # the roster's columns before 出生日期, 性别, 学历
    report = import_roster(session, plain_workbook([header, *GOOD_ROSTER]))
    assert report.errors == [] and report.created == 3


def test_a_bad_gender_or_education_is_a_row_error_naming_the_allowed_values(session):
    rows = [[*GOOD_ROSTER[0], "", "M", "博士后"]]
    report = import_roster(session, filled_template("roster", rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "性别"), (2, "学历")]
    assert report.errors[0].reason == "“M”不是有效的性别，应为：男、女（或留空）"
    assert "大学本科" in report.errors[1].reason and not report.applied


def test_duplicate_userid_in_one_file_is_rejected(session):
    rows = [GOOD_ROSTER[0], [*GOOD_ROSTER[1][:3], "sunli", *GOOD_ROSTER[1][4:]]]
    report = import_roster(session, filled_template("roster", rows))
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "企业微信账号", "与第 2 行重复")
    ]


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_refused(session):
    with pytest.raises(WorkbookError, match="无法读取文件"):
        import_roster(session, b"name,userid\n")
    with pytest.raises(WorkbookError, match="表头缺少列：企业微信账号、编制类型"):
        import_roster(session, plain_workbook([["部门", "姓名"], ["县民政局", "张三"]]))


def test_duty_list_import_deactivates_dropped_duties_and_is_idempotent(session):
    data = filled_template("duties", DUTY_LIST)
    report = import_duties(session, data)
    session.commit()
    assert report.created == 4 and report.errors == []
    stmt = select(Duty).where(Duty.title == "负责社会救助工作，组织实施最低生活保障制度")
    relief = session.exec(stmt).one()
    assert relief.function_type == "core" and relief.standard_hours == 6
    assert relief.default_task_type_code == "business"
    again = import_duties(session, data)
    assert (again.created, again.updated, again.unchanged, again.deactivated) == (0, 0, 4, 0)
    shorter = import_duties(session, filled_template("duties", DUTY_LIST[:3]))
    assert (shorter.unchanged, shorter.deactivated) == (3, 1)


def test_bad_duty_rows_are_reported(session):
    rows = [
        *DUTY_LIST,
        ["县民政局", 2, "重复序号", "核心职能"],
        ["县民政局", "二", "", "主要职能", "加班", 30],
    ]
    report = import_duties(session, filled_template("duties", rows))
    found = [(e.row, e.column) for e in report.errors]
    assert found == [(6, "序号"), (7, "序号"), (7, "职责内容"), (7, "职能类型"),
                     (7, "默认任务类型"), (7, "标准工时")]  # fmt: skip
    session.rollback()
    assert session.exec(select(Duty).where(Duty.title == "负责婚姻登记管理")).first() is None
