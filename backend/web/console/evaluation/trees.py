"""Indicator-tree pages: a version's indicators and points; admins edit an unused one or copy it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from backend.evaluation import queries, texts
from backend.evaluation import tree as service
from backend.evaluation.metrics import METRICS
from backend.models.evaluation import PointMethod
from backend.web.console.access import require_role, signed_in_account
from backend.web.console.evaluation import blueprint
from backend.web.console.evaluation.common import write
from backend.web.console.form_fields import (
    Choice,
    DecimalNumber,
    TextField,
    WebForm,
    WholeNumber,
    at_most,
    filled,
    required,
)
from backend.web.session import request_session

METHODS = [(PointMethod.SCORED.value, "评估人员打分"), (PointMethod.COMPUTED.value, "系统计算")]


class IndicatorForm(WebForm):
    """A first-level indicator (no parent) or a second-level one under a first-level one."""

    name = TextField("指标名称", [required("指标名称"), at_most(200, "指标名称")])
    parent_id = WholeNumber("上级指标", lo=1)
    seq = WholeNumber("序号", lo=0, hi=999)


class PointForm(WebForm):
    """An evaluation point under a second-level indicator."""

    indicator_id = WholeNumber("二级指标", [required("二级指标")], lo=1)
    name = TextField("评估要点", [required("评估要点"), at_most(500, "评估要点")])
    max_score = DecimalNumber("分值", [required("分值")], lo=0.01, hi=100)
    method = Choice("评分方式", choices=METHODS)
    metric = Choice(
        "计算指标", choices=[("", "（不适用）")] + [(k, m.name) for k, m in METRICS.items()]
    )
    target = DecimalNumber("满分目标值", lo=0.0001, hi=1000000)
    guidance = TextField("评分说明", [at_most(2000, "评分说明")])
    seq = WholeNumber("序号", lo=0, hi=999)


def _tree(tree_id: int):
    found = queries.tree_by_id(request_session(), tree_id=tree_id)
    if found is None:
        abort(404, description=texts.ERR_TREE_MISSING)
    return found


def _page(tree_id: int, status: int = 200, point_form=None, indicator_form=None):
    tree = _tree(tree_id)
    session = request_session()
    indicators = queries.indicators_of(session, tree_id=tree_id)
    html = render_template(
        "evaluation/tree.html",
        tree=tree,
        total=service.tree_total(session, tree_id=tree_id),
        frozen=service.is_frozen(session, tree_id=tree_id),
        first_level=[i for i in indicators if i.parent_id is None],
        second_level=[i for i in indicators if i.parent_id is not None],
        points=queries.points_of(session, tree_id=tree_id),
        metrics=METRICS,
        methods=dict(METHODS),
        formulas={"computed": texts.COMPUTED_FORMULA, "scored": texts.SCORED_FORMULA},
        is_admin=signed_in_account().role == "admin",
        point_form=point_form,
        indicator_form=indicator_form,
    )
    return html, status


@blueprint.get("/trees/<int:tree_id>")
@require_role("admin", "head")
def tree_page(tree_id: int):
    """One tree version: indicators, points, worth, method and formula."""
    return _page(tree_id)


@blueprint.post("/trees/<int:tree_id>/indicators")
@require_role("admin")
def add_indicator(tree_id: int):
    """Add a first- or second-level indicator to an unused tree version."""
    _tree(tree_id)
    form = IndicatorForm()
    if not form.validate():
        flash(form.first_error(), "error")
        return _page(tree_id, 400, indicator_form=form)
    write(
        lambda s: service.add_indicator(
            s,
            tree_id=tree_id,
            name=filled(form.name.data),
            parent_id=form.parent_id.data,
            seq=form.seq.data or 0,
        )
    )
    flash("已添加指标", "success")
    return redirect(url_for(".tree_page", tree_id=tree_id))


@blueprint.post("/trees/<int:tree_id>/points")
@require_role("admin")
def add_point(tree_id: int):
    """Add an evaluation point under a second-level indicator."""
    _tree(tree_id)
    form = PointForm()
    if not form.validate():
        flash(form.first_error(), "error")
        return _page(tree_id, 400, point_form=form)
    write(
        lambda s: service.add_point(
            s,
            indicator_id=filled(form.indicator_id.data),
            name=filled(form.name.data),
            max_score=filled(form.max_score.data),
            method=form.method.data,
            metric=form.metric.data or None,
            target=form.target.data,
            guidance=form.guidance.data or "",
            seq=form.seq.data or 0,
        )
    )
    flash("已添加评估要点", "success")
    return redirect(url_for(".tree_page", tree_id=tree_id))


@blueprint.post("/trees/<int:tree_id>/indicators/<int:indicator_id>/delete")
@require_role("admin")
def delete_indicator(tree_id: int, indicator_id: int):
    """Delete an empty indicator of an unused tree version."""
    _tree(tree_id)
    write(lambda s: service.delete_indicator(s, indicator_id=indicator_id))
    flash("已删除指标", "success")
    return redirect(url_for(".tree_page", tree_id=tree_id))


@blueprint.post("/trees/<int:tree_id>/points/<int:point_id>/delete")
@require_role("admin")
def delete_point(tree_id: int, point_id: int):
    """Delete an evaluation point of an unused tree version."""
    _tree(tree_id)
    write(lambda s: service.delete_point(s, point_id=point_id))
    flash("已删除评估要点", "success")
    return redirect(url_for(".tree_page", tree_id=tree_id))


@blueprint.post("/trees/<int:tree_id>/copy")
@require_role("admin")
def copy(tree_id: int):
    """Copy a tree version into a new, editable version."""
    _tree(tree_id)
    new = write(lambda s: service.copy_tree(s, tree_id=tree_id))
    flash(f"已复制为第 {new.version} 版，可以修改", "success")
    return redirect(url_for(".tree_page", tree_id=new.id))
