"""Round pages: the list, opening a round, the round's scores, finishing, settings, comparison."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from backend.common.values import parse_int
from backend.evaluation import queries, texts
from backend.evaluation import rounds as service
from backend.evaluation.default_tree import create_default_tree
from backend.evaluation.tree import tree_total
from backend.ledger.queries import status_counts
from backend.ledger.rules import UNRESOLVED
from backend.models import saved_id
from backend.models.evaluation import RoundStatus
from backend.org.queries import department_names, departments_in_order
from backend.surveys.queries import list_surveys
from backend.web.console.access import require_role, signed_in_account, visible_department_ids
from backend.web.console.evaluation import blueprint
from backend.web.console.evaluation.common import find_round, write
from backend.web.console.form_fields import (
    Choice,
    Day,
    DecimalNumber,
    IdList,
    TextField,
    WebForm,
    WholeNumber,
    at_most,
    filled,
    required,
)
from backend.web.session import request_session


class OpenRoundForm(WebForm):
    """Open a round: its name, period, tree version and units."""

    name = TextField("轮次名称", [required("轮次名称"), at_most(100, "轮次名称")])
    period_start = Day("评估期间开始", [required("评估期间开始")])
    period_end = Day("评估期间结束", [required("评估期间结束")])
    tree_id = WholeNumber("指标体系", [required("指标体系")], lo=1)
    department_ids = IdList("被评估单位")


class SettingsForm(WebForm):
    """The colour thresholds and the measure each colour implies."""

    yellow_from = DecimalNumber("黄色起点", [required("黄色起点")], lo=0, hi=100)
    green_from = DecimalNumber("绿色起点", [required("绿色起点")], lo=0, hi=100)
    red = TextField("红色措施", [required("红色措施"), at_most(200, "红色措施")])
    yellow = TextField("黄色措施", [required("黄色措施"), at_most(200, "黄色措施")])
    green = TextField("绿色措施", [required("绿色措施"), at_most(200, "绿色措施")])


class SurveyLinkForm(WebForm):
    """Link a survey to a round as its self- or mutual-evaluation questionnaire."""

    survey_id = WholeNumber("问卷", [required("问卷")], lo=1)
    kind = Choice("问卷类型", choices=[("self", "自评"), ("mutual", "互评")])


def _index(form: OpenRoundForm | None = None, settings: SettingsForm | None = None, status=200):
    session = request_session()
    account = signed_in_account()
    trees = queries.list_trees(session)
    html = render_template(
        "evaluation/index.html",
        rounds=queries.list_rounds(session),
        trees=[(t, tree_total(session, tree_id=saved_id(t))) for t in trees],
        units=departments_in_order(session),
        thresholds=queries.thresholds(session),
        measures=queries.measures(session),
        colours=texts.COLOUR_LABELS,
        is_admin=account.role == "admin",
        form=form,
        settings_form=settings,
    )
    return html, status


@blueprint.get("/")
@require_role("admin", "head")
def index():
    """Rounds, tree versions, and (admins) the forms to open a round and set the colours."""
    return _index()


@blueprint.post("/rounds")
@require_role("admin")
def open_round():
    """Open a round on a tree version for the chosen units."""
    form = OpenRoundForm()
    if not form.validate():
        flash(form.first_error(), "error")
        return _index(form, status=400)
    rnd = write(
        lambda s: service.open_round(
            s,
            name=filled(form.name.data),
            period_start=filled(form.period_start.data),
            period_end=filled(form.period_end.data),
            tree_id=filled(form.tree_id.data),
            department_ids=form.department_ids.data or [],
            account=signed_in_account(),
        )
    )
    flash(f"已开启评估轮次：{rnd.name}", "success")
    return redirect(url_for(".round_page", round_id=rnd.id))


@blueprint.post("/trees/default")
@require_role("admin")
def default_tree():
    """Create the county's default indicator tree (7 / 21 / 30, total 100)."""
    tree = write(create_default_tree)
    flash(f"已创建指标体系：{tree.name}（第 {tree.version} 版）", "success")
    return redirect(url_for(".tree_page", tree_id=tree.id))


@blueprint.post("/settings")
@require_role("admin")
def save_settings():
    """Store the colour thresholds and the measure per colour."""
    form = SettingsForm()
    if not form.validate():
        flash(form.first_error(), "error")
        return _index(settings=form, status=400)
    write(
        lambda s: service.save_settings(
            s,
            yellow_from=filled(form.yellow_from.data),
            green_from=filled(form.green_from.data),
            measures={c: getattr(form, c).data or "" for c in texts.DEFAULT_MEASURES},
        )
    )
    flash("已保存等次阈值和措施", "success")
    return redirect(url_for(".index"))


def _visible_scores(session, round_id: int, allowed: set[int] | None):
    scores = service.preview_scores(session, round_id=round_id)
    return [s for s in scores if allowed is None or s.department_id in allowed]


def _open_problems(session, round_id: int, allowed: set[int] | None) -> dict[int, int]:
    counts = status_counts(session, round_id=round_id, department_ids=allowed)
    return {d: sum(n for st, n in c.items() if st in UNRESOLVED) for d, c in counts.items()}


@blueprint.get("/rounds/<int:round_id>")
@require_role("admin", "head")
def round_page(round_id: int):
    """A round: each unit's self-evaluation, visit, score, rank, colour and open problems."""
    rnd = find_round(round_id)
    session = request_session()
    account = signed_in_account()
    allowed = visible_department_ids(session, account)
    units = [
        u
        for u in queries.round_units(session, round_id=round_id)
        if allowed is None or u.department_id in allowed
    ]
    surveys = {saved_id(s): s for s in list_surveys(session)}
    return render_template(
        "evaluation/round.html",
        rnd=rnd,
        units=units,
        scores={s.department_id: s for s in _visible_scores(session, round_id, allowed)},
        names=department_names(session),
        open_problems=_open_problems(session, round_id, allowed),
        linked=[
            (link, surveys.get(link.survey_id))
            for link in queries.linked_surveys(session, round_id=round_id)
        ],
        surveys=list(surveys.values()),
        colours=texts.COLOUR_LABELS,
        is_open=rnd.status == RoundStatus.OPEN,
        is_admin=account.role == "admin",
        warning=texts.WARN_MISSING_ONSITE,
    )


@blueprint.post("/rounds/<int:round_id>/finish")
@require_role("admin")
def finish(round_id: int):
    """Freeze the round's scores, ranks, colours and measures."""
    find_round(round_id)
    results = write(
        lambda s: service.finish_round(s, round_id=round_id, account=signed_in_account())
    )
    flash(f"评估轮次已结束，{len(results)} 个单位的结果已冻结", "success")
    return redirect(url_for(".round_page", round_id=round_id))


@blueprint.post("/rounds/<int:round_id>/surveys")
@require_role("admin")
def link_survey(round_id: int):
    """Link a self- or mutual-evaluation survey to the round."""
    find_round(round_id)
    form = SurveyLinkForm()
    if not form.validate():
        abort(400, description=form.first_error())
    write(
        lambda s: service.link_survey(
            s, round_id=round_id, survey_id=filled(form.survey_id.data), kind=form.kind.data
        )
    )
    flash("已关联问卷", "success")
    return redirect(url_for(".round_page", round_id=round_id))


def _chosen_rounds() -> list[int]:
    ids = [parse_int(raw) for raw in request.args.getlist("round")]
    if any(i is None for i in ids) or len(ids) > 10:
        abort(400, description="请选择要比较的评估轮次（最多 10 个）")
    return list(dict.fromkeys(i for i in ids if i is not None))


@blueprint.get("/compare")
@require_role("admin", "head")
def compare():
    """Compare units' frozen results across finished rounds."""
    session = request_session()
    allowed = visible_department_ids(session, signed_in_account())
    finished = [r for r in queries.list_rounds(session) if r.status == RoundStatus.FINISHED]
    chosen = _chosen_rounds() or [saved_id(r) for r in finished[:3]]
    rounds = [r for r in finished if r.id in chosen]
    results = queries.compare_rounds(session, round_ids=[saved_id(r) for r in rounds])
    return render_template(
        "evaluation/compare.html",
        finished=finished,
        rounds=rounds,
        results={d: r for d, r in results.items() if allowed is None or d in allowed},
        names=department_names(session),
        colours=texts.COLOUR_LABELS,
    )
