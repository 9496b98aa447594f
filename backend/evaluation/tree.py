"""The indicator tree service: create, copy as a new version, indicators, points, validation."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.evaluation import rules, texts
from backend.evaluation.errors import EvaluationError
from backend.evaluation.metrics import METRICS
from backend.models import saved_id
from backend.models.evaluation import (
    EvaluationPoint,
    EvaluationRound,
    Indicator,
    IndicatorTree,
    PointMethod,
)


def create_tree(session: Session, *, name: str, note: str = "") -> IndicatorTree:
    """Create an empty tree (version 1, or the next version of that name)."""
    name = _name(name)
    latest = session.exec(
        select(func.max(IndicatorTree.version)).where(IndicatorTree.name == name)
    ).one()
    tree = IndicatorTree(name=name, version=int(latest or 0) + 1, note=note[:500])
    session.add(tree)
    session.flush()
    return tree


def tree_total(session: Session, *, tree_id: int) -> float:
    """Return the sum of the tree's points' max scores."""
    rows = session.exec(
        select(EvaluationPoint.max_score).where(EvaluationPoint.tree_id == tree_id)
    ).all()
    return rules.tree_total(list(rows))


def check_total(session: Session, *, tree_id: int) -> None:
    """Refuse a tree whose points do not total 100."""
    total = tree_total(session, tree_id=tree_id)
    if abs(total - texts.TOTAL_SCORE) > 1e-6:
        raise EvaluationError(texts.ERR_TREE_TOTAL.format(total=total))


def is_frozen(session: Session, *, tree_id: int) -> bool:
    """Return whether a round uses the tree (then edits need a new version)."""
    used = session.exec(
        select(EvaluationRound.id).where(EvaluationRound.tree_id == tree_id).limit(1)
    ).first()
    return used is not None


def _editable(session: Session, tree_id: int) -> None:
    if session.get(IndicatorTree, tree_id) is None:
        raise EvaluationError(texts.ERR_TREE_MISSING, 404)
    if is_frozen(session, tree_id=tree_id):
        raise EvaluationError(texts.ERR_FROZEN, 409)


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > texts.NAME_LIMIT:
        raise EvaluationError(texts.ERR_NAME.format(limit=texts.NAME_LIMIT))
    return name


def add_indicator(
    session: Session, *, tree_id: int, name: str, parent_id: int | None = None, seq: int = 0
) -> Indicator:
    """Add a first-level (no parent) or second-level indicator."""
    _editable(session, tree_id)
    if parent_id is not None:
        parent = session.get(Indicator, parent_id)
        if parent is None or parent.tree_id != tree_id or parent.parent_id is not None:
            raise EvaluationError(texts.ERR_PARENT)
    indicator = Indicator(tree_id=tree_id, parent_id=parent_id, seq=seq, name=_name(name))
    session.add(indicator)
    session.flush()
    return indicator


def rename_indicator(session: Session, *, indicator_id: int, name: str, seq: int) -> Indicator:
    """Rename or reorder an indicator."""
    indicator = _indicator(session, indicator_id)
    _editable(session, indicator.tree_id)
    indicator.name, indicator.seq = _name(name), seq
    session.add(indicator)
    return indicator


def delete_indicator(session: Session, *, indicator_id: int) -> None:
    """Delete an indicator with no children or points."""
    indicator = _indicator(session, indicator_id)
    _editable(session, indicator.tree_id)
    child = session.exec(select(Indicator.id).where(Indicator.parent_id == indicator_id)).first()
    point = session.exec(
        select(EvaluationPoint.id).where(EvaluationPoint.indicator_id == indicator_id)
    ).first()
    if child is not None or point is not None:
        raise EvaluationError(texts.ERR_HAS_CHILDREN)
    session.delete(indicator)


def _indicator(session: Session, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise EvaluationError(texts.ERR_INDICATOR_MISSING, 404)
    return indicator


def _point_fields(max_score: float, method: str, metric: str | None, target: float | None):
    if not 0 < max_score <= 100:
        raise EvaluationError(texts.ERR_MAX_SCORE)
    kind = PointMethod(method)
    if kind is PointMethod.COMPUTED:
        if metric not in METRICS:
            raise EvaluationError(texts.ERR_METRIC.format(metric=metric))
        if target is not None and target <= 0:
            raise EvaluationError(texts.ERR_TARGET)
        return kind, metric, target if target is not None else 1.0
    return kind, None, None


def add_point(
    session: Session,
    *,
    indicator_id: int,
    name: str,
    max_score: float,
    method: str,
    metric: str | None = None,
    target: float | None = None,
    guidance: str = "",
    seq: int = 0,
) -> EvaluationPoint:
    """Add an evaluation point under a second-level indicator."""
    indicator = _indicator(session, indicator_id)
    _editable(session, indicator.tree_id)
    if indicator.parent_id is None:
        raise EvaluationError(texts.ERR_PARENT)
    kind, metric, target = _point_fields(max_score, method, metric, target)
    point = EvaluationPoint(
        tree_id=indicator.tree_id,
        indicator_id=indicator_id,
        seq=seq,
        name=_name(name),
        max_score=max_score,
        method=kind,
        metric=metric,
        target=target,
        guidance=guidance[:2000],
    )
    session.add(point)
    session.flush()
    return point


def edit_point(session: Session, *, point_id: int, **fields) -> EvaluationPoint:
    """Change a point's name, worth, method, metric, target or guidance."""
    point = _point(session, point_id)
    _editable(session, point.tree_id)
    merged = {
        "max_score": point.max_score,
        "method": point.method,
        "metric": point.metric,
        "target": point.target,
        **fields,
    }
    kind, metric, target = _point_fields(
        merged["max_score"], merged["method"], merged["metric"], merged["target"]
    )
    point.max_score, point.method, point.metric, point.target = (
        merged["max_score"],
        kind,
        metric,
        target,
    )
    point.name = _name(fields.get("name", point.name))
    point.guidance = str(fields.get("guidance", point.guidance))[:2000]
    point.seq = int(fields.get("seq", point.seq))
    session.add(point)
    return point


def delete_point(session: Session, *, point_id: int) -> None:
    """Delete a point of an unused tree."""
    point = _point(session, point_id)
    _editable(session, point.tree_id)
    session.delete(point)


def _point(session: Session, point_id: int) -> EvaluationPoint:
    point = session.get(EvaluationPoint, point_id)
    if point is None:
        raise EvaluationError(texts.ERR_POINT_MISSING, 404)
    return point


def copy_tree(session: Session, *, tree_id: int) -> IndicatorTree:
    """Copy a tree as the next version of its name (indicators and points included)."""
    source = session.get(IndicatorTree, tree_id)
    if source is None:
        raise EvaluationError(texts.ERR_TREE_MISSING, 404)
    copy = create_tree(session, name=source.name, note=source.note)
    new_id = saved_id(copy)
    mapping: dict[int, int] = {}
    indicators = session.exec(
        select(Indicator)
        .where(Indicator.tree_id == tree_id)
        .order_by(col(Indicator.parent_id).is_not(None), col(Indicator.id))
    ).all()
    for old in indicators:
        parent = mapping.get(old.parent_id) if old.parent_id is not None else None
        made = Indicator(tree_id=new_id, parent_id=parent, seq=old.seq, name=old.name)
        session.add(made)
        session.flush()
        mapping[saved_id(old)] = saved_id(made)
    _copy_points(session, tree_id, new_id, mapping)
    return copy


def _copy_points(session: Session, old_id: int, new_id: int, mapping: dict[int, int]) -> None:
    for p in session.exec(select(EvaluationPoint).where(EvaluationPoint.tree_id == old_id)).all():
        session.add(
            EvaluationPoint(
                tree_id=new_id,
                indicator_id=mapping[p.indicator_id],
                seq=p.seq,
                name=p.name,
                max_score=p.max_score,
                method=p.method,
                metric=p.metric,
                target=p.target,
                guidance=p.guidance,
            )
        )
    session.flush()


def build_tree(session: Session, *, name: str, spec: Sequence, note: str = "") -> IndicatorTree:
    """Create a tree from (first, [(second, [(point, max, method, metric, target)])]) tuples."""
    tree = create_tree(session, name=name, note=note)
    tree_id = saved_id(tree)
    for i, (first, seconds) in enumerate(spec):
        top = add_indicator(session, tree_id=tree_id, name=first, seq=i)
        for j, (second, points) in enumerate(seconds):
            mid = add_indicator(session, tree_id=tree_id, name=second, parent_id=top.id, seq=j)
            for k, (pname, max_score, method, metric, target) in enumerate(points):
                add_point(
                    session,
                    indicator_id=saved_id(mid),
                    name=pname,
                    max_score=max_score,
                    method=method,
                    metric=metric,
                    target=target,
                    seq=k,
                )
    return tree
