"""Administrator settings: the score weights and three-colour thresholds, and group targets."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from backend.db import writing
from backend.org.queries import bot_groups, departments_by_id, find_department
from backend.org.service import set_chat_target
from backend.outbox.queries import last_group_posts
from backend.outbox.rules import group_route
from backend.reports.analytics.config import load_scoring, save_scoring
from backend.reports.analytics.scoring import METRICS, RatingThresholds, Scoring
from backend.reports.analytics.texts import METRIC_TEXTS
from backend.runtime import runtime
from backend.web.console import blueprint
from backend.web.console.access import require_role
from backend.web.console.common import audit
from backend.web.console.form_fields import WebForm
from backend.web.console.forms import ScoringForm, TargetForm
from backend.web.console.nav import registered
from backend.web.session import request_session

TARGET_KINDS = {
    "": "无（使用上级部门的群）",
    "appchat": "应用群聊",
    "webhook": "群机器人",
    "bot": "智能机器人",
}
POST_STATES = {"sent": "已送达", "pending": "等待发送", "sending": "发送中", "failed": "发送失败"}
ELSEWHERE = [
    ("/console/schedule/reminders", "提醒时间"),
    ("/console/schedule/calendar", "节假日与调休"),
    ("/console/supervision", "评价量表"),
]


@blueprint.get("/settings")
@require_role("admin")
def settings_page():
    """Show the scoring settings and every department's group target."""
    return _settings_page()


def _settings_page(failed: WebForm | None = None, status: int = 200):
    """Render the settings page; `failed` is a form shown again with its errors."""
    db = request_session()
    scoring = load_scoring(db)
    departments = departments_by_id(db)
    routes = {d.id: route for d in departments if (route := group_route(d)) is not None}
    groups = [pair for route in routes.values() for pair in route.targets()]
    metrics = [(key, *METRIC_TEXTS.get(key, (key, ""))) for key in METRICS]
    elsewhere = [(path, label) for path, label in ELSEWHERE if registered(path)]
    return render_template(
        "console/settings.html",
        scoring=scoring,
        metrics=metrics,
        departments=departments,
        target_kinds=TARGET_KINDS,
        routes=routes,
        last_posts=last_group_posts(db, groups),
        bot_groups=bot_groups(db),
        bot_routes={
            r.target: d.name for d in departments if (r := routes.get(d.id)) and r.channel == "bot"
        },
        post_states=POST_STATES,
        elsewhere=elsewhere,
        failed=failed,
    ), status


@blueprint.post("/settings/scoring")
@require_role("admin")
def scoring_update():
    """Save the score weights and the three-colour thresholds."""
    form = ScoringForm()
    if not form.validate():
        return _settings_page(form, 400)
    weights = {k: w for k, w in form.weights().items() if w}
    thresholds = RatingThresholds(
        yellow_from=form.yellow_from.data or 0, green_from=form.green_from.data or 0
    )
    scoring = Scoring(weights=weights, thresholds=thresholds)
    with writing(runtime().engine) as db:
        save_scoring(db, scoring=scoring)
        audit(db, "scoring_update", "scoring", f"{dict(scoring.weights)} {thresholds}")
    flash("评分设置已保存", "success")
    return redirect(url_for("console.settings_page"))


@blueprint.post("/settings/targets/<int:department_id>")
@require_role("admin")
def target_update(department_id: int):
    """Set where a department's group messages go: an app chat id or a robot webhook key."""
    form = TargetForm()
    form.row, form.kind.choices = department_id, list(TARGET_KINDS.items())
    if not form.validate():
        return _settings_page(form, 400)
    kind, target, files_key = form.kind.data, form.target.data, form.files_key.data
    with writing(runtime().engine) as db:
        department = find_department(db, department_id=department_id)
        if department is None:
            abort(404, description="找不到该部门")
        set_chat_target(db, department=department, kind=kind, target=target, files_key=files_key)
        audit(db, "group_target", department.name, f"{kind}:{target}")
    flash(f"已更新“{department.name}”的工作群", "success")
    return redirect(url_for("console.settings_page"))
