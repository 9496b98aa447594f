"""Console pages under /console/schedule: notices, reminder times and the working-day calendar."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for

from backend.common.values import parse_day
from backend.db import writing
from backend.excel.reader import WorkbookError, check_archive
from backend.models import Department, saved_id
from backend.org.accounts import record_audit
from backend.org.queries import departments_in_order, find_department
from backend.runtime import runtime
from backend.schedule import calendar, notices, reminders
from backend.schedule.queries import find_notice
from backend.web.console.access import require_role, signed_in_account
from backend.web.console.area_forms import NoticeForm, OverrideForm, ReminderForm
from backend.web.console.form_fields import filled
from backend.web.console.jobs import start_job
from backend.web.guards import accepts_upload
from backend.web.session import request_session

if TYPE_CHECKING:
    from sqlmodel import Session

blueprint = Blueprint("console_schedule", __name__, url_prefix="/console/schedule")
MAX_UPLOAD = 2 * 1024 * 1024


def _today() -> date:
    return runtime().clock().date()


def _departments(session: Session) -> list[Department]:
    return departments_in_order(session)


def _refuse(template: str, message: str, **context):
    flash(message, "error")
    return render_template(template, **context), 400


@blueprint.get("")
@require_role("admin")
def index():
    """Open the notices page."""
    return redirect(url_for(".notice_list"))


# --- notices -----------------------------------------------------------------------------------


@blueprint.get("/notices")
@require_role("admin")
def notice_list(form: NoticeForm | None = None):
    """List sent notices with delivery and read figures, and the form to send one."""
    session = request_session()
    listed = notices.list_notices(session)
    rows = [(n, notices.notice_status(session, notice_id=saved_id(n))) for n in listed]
    return render_template(
        "schedule/notices.html",
        rows=rows,
        departments=_departments(session),
        form=form or NoticeForm(formdata=None, to_staff=True),
        warnings=calendar.calendar_warnings(session, today=_today()),
    )


@blueprint.post("/notices")
@require_role("admin")
def notice_send():
    """Send a notice to the chosen departments' staff and/or groups."""
    form = NoticeForm()
    if not form.validate():
        return notice_list(form=form), 400
    account = signed_in_account()
    try:
        with writing(runtime().engine) as session:
            notice = notices.send_notice(
                session,
                title=form.title.data,
                body=form.body.data,
                department_ids=form.department_id.data,
                to_staff=form.to_staff.data,
                to_groups=form.to_groups.data,
                sender=account.username,
            )
            record_audit(session, account=account, action="notice.send", target=notice.title)
            notice_id = notice.id
    except notices.NoticeError as error:
        flash(str(error), "error")
        return notice_list(form=form), 400
    flash("通知已进入发送队列", "success")
    return redirect(url_for(".notice_detail", notice_id=notice_id))


@blueprint.get("/notices/<int:notice_id>")
@require_role("admin")
def notice_detail(notice_id: int):
    """Show one notice: who it reached, who has not, who has read it."""
    session = request_session()
    notice = find_notice(session, notice_id=notice_id)
    if notice is None:
        return render_template(
            "console/error.html", code=404, title="找不到页面", message="没有这条通知"
        ), 404
    return render_template(
        "schedule/notice.html",
        notice=notice,
        status=notices.notice_status(session, notice_id=notice_id),
        recipients=notices.recipient_states(session, notice_id=notice_id),
    )


# --- reminder times ----------------------------------------------------------------------------


@blueprint.get("/reminders")
@require_role("admin")
def reminder_times():
    """Show the global reminder times and each department's own."""
    return _reminder_page()


def _reminder_page(status: int = 200, failed: ReminderForm | None = None):
    session = request_session()
    own = {d.id: reminders.setting_row(session, department_id=d.id) for d in _departments(session)}
    page = render_template(
        "schedule/reminders.html",
        default=reminders.setting_row(session, department_id=None),
        defaults=reminders.DEFAULT_TIMES,
        departments=_departments(session),
        own=own,
        failed=failed,
    )
    return page, status


@blueprint.post("/reminders")
@require_role("admin")
def reminder_save():
    """Save the global times, or one department's (department_id in the form)."""
    form = ReminderForm()
    if not form.validate():
        flash(form.first_error(), "error")
        return _reminder_page(400, form)
    department_id = form.department_id.data
    if (
        department_id is not None
        and find_department(request_session(), department_id=department_id) is None
    ):
        flash("没有这个部门", "error")
        return _reminder_page(400)
    target = "全局" if department_id is None else str(department_id)
    try:
        with writing(runtime().engine) as session:
            reminders.save_times(session, department_id=department_id, values=form.values())
            record_audit(
                session, account=signed_in_account(), action="reminder.times", target=target
            )
    except reminders.ReminderSettingError as error:
        flash(str(error), "error")
        return _reminder_page(400, form)
    flash("提醒时间已保存", "success")
    return redirect(url_for(".reminder_times"))


@blueprint.post("/reminders/<int:department_id>/clear")
@require_role("admin")
def reminder_clear(department_id: int):
    """Let a department follow the global times again."""
    with writing(runtime().engine) as session:
        if reminders.clear_department_times(session, department_id=department_id):
            record_audit(
                session,
                account=signed_in_account(),
                action="reminder.clear",
                target=str(department_id),
            )
    flash("该部门已改为使用全局提醒时间", "success")
    return redirect(url_for(".reminder_times"))


# --- calendar ----------------------------------------------------------------------------------


@blueprint.get("/calendar")
@require_role("admin")
def calendar_page(status: int = 200, failed: OverrideForm | None = None):
    """Show the year's overrides, the fallback warnings, and the forms to change them."""
    year = request.args.get("year", type=int) or _today().year
    if not 2000 <= year <= 2100:
        year = _today().year
    session = request_session()
    page = render_template(
        "schedule/calendar.html",
        year=year,
        overrides=calendar.list_overrides(session, year=year),
        warnings=calendar.calendar_warnings(session, today=_today()),
        failed=failed,
    )
    return page, status


@blueprint.post("/calendar/overrides")
@require_role("admin")
def override_save():
    """Declare one day a working day or a day off."""
    form = OverrideForm()
    if not form.validate():
        return calendar_page(400, form)
    day, kind = filled(form.day.data), form.kind.data
    try:
        with writing(runtime().engine) as session:
            calendar.set_override(
                session, day=day, is_workday=kind == "workday", note=form.note.data
            )
            record_audit(
                session, account=signed_in_account(), action="calendar.set", target=str(day)
            )
    except calendar.CalendarError as error:
        flash(str(error), "error")
        return calendar_page(400, form)
    flash(f"{day} 已设为{'上班' if kind == 'workday' else '放假'}", "success")
    return redirect(url_for(".calendar_page", year=day.year))


@blueprint.post("/calendar/overrides/<day>/delete")
@require_role("admin")
def override_delete(day: str):
    """Return one day to the statutory calendar."""
    parsed = parse_day(day)
    if parsed is None:
        flash("日期格式不对", "error")
        return calendar_page(400)
    with writing(runtime().engine) as session:
        calendar.remove_override(session, day=parsed)
        record_audit(session, account=signed_in_account(), action="calendar.remove", target=day)
    flash(f"{parsed} 已恢复为法定日历", "success")
    return redirect(url_for(".calendar_page", year=parsed.year))


@blueprint.post("/calendar/import")
@accepts_upload
@require_role("admin")
def calendar_import():
    """Queue a job importing a year's holiday list (日期 | 放假/上班 | 说明) from Excel."""
    upload = request.files.get("file")
    data = upload.read(MAX_UPLOAD + 1) if upload else b""
    if not data:
        flash("请选择要导入的Excel文件", "error")
        return calendar_page(400)
    if len(data) > MAX_UPLOAD:
        flash("文件超过2MB，请只保留日期、类型和说明三列", "error")
        return calendar_page(400)
    try:
        check_archive(data, max_uncompressed=runtime().settings.LVZHI_UPLOAD_MAX_UNZIPPED_BYTES)
    except WorkbookError:
        flash("无法读取该文件，请上传 .xlsx 格式的Excel表格", "error")
        return calendar_page(400)
    return start_job("import_calendar", {}, data)
