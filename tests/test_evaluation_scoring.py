"""Known-answer tests of the evaluation tree, rounds and scoring."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from backend.evaluation import queries, rounds, rules
from backend.evaluation.default_tree import create_default_tree
from backend.evaluation.errors import EvaluationError
from backend.evaluation.preview import computed_points
from backend.evaluation.tree import build_tree, tree_total
from tests.support.org import add_small_county

SMALL = [
    (
        "职责履行",
        [
            ("核心职能", [("职责落实", 40, "scored", None, None)]),
            ("日常工作", [("填报", 20, "computed", "reporting_rate", 0.9)]),
        ],
    ),
    (
        "评议",
        [
            (
                "实地评",
                [
                    ("实地查看", 30, "scored", None, None),
                    ("自评问卷", 10, "computed", "survey_self", None),
                ],
            )
        ],
    ),
]


def test_ranks_share_equal_scores():
    assert rules.ranks({1: 90.0, 2: 80.0, 3: 80.0, 4: 70.0}) == {1: 1, 2: 2, 3: 2, 4: 4}


def test_computed_score_formula():
    assert rules.computed_score(20, 0.45, 0.9) == pytest.approx(10.0)
    assert rules.computed_score(20, 1.2, 0.9) == 20
    assert rules.computed_score(20, None, 0.9) == 0


def test_check_score_refuses_bad_input():
    with pytest.raises(EvaluationError, match="数字"):
        rules.check_score("abc", 10, "x")
    with pytest.raises(EvaluationError, match="0 至 10"):
        rules.check_score("11", 10, "x")


def test_default_tree_shape(engine):
    with Session(engine) as session:
        tree = create_default_tree(session)
        items = queries.indicators_of(session, tree_id=tree.id)
        points = queries.points_of(session, tree_id=tree.id)
        firsts = [i for i in items if i.parent_id is None]
        assert (len(firsts), len(items) - len(firsts), len(points)) == (7, 21, 30)
        assert tree_total(session, tree_id=tree.id) == 100


def test_tree_not_100_refuses_round(engine):
    with Session(engine) as session:
        county = add_small_county(session)
        tree = build_tree(
            session, name="小", spec=[("一", [("二", [("点", 50, "scored", None, None)])])]
        )
        with pytest.raises(EvaluationError, match="100"):
            rounds.open_round(
                session,
                name="轮",
                period_start=date(2026, 1, 1),
                period_end=date(2026, 1, 31),
                tree_id=tree.id,
                department_ids=[county["departments"][0].id],
            )


def test_round_scores_ranks_colours(engine):
    with Session(engine) as session:
        county = add_small_county(session)
        market, civil, lab = (d.id for d in county["departments"])
        tree = build_tree(session, name="小体系", spec=SMALL)
        points = {p.name: p.id for p in queries.points_of(session, tree_id=tree.id)}
        rnd = rounds.open_round(
            session,
            name="2026 年第一轮",
            period_start=date(2026, 11, 2),
            period_end=date(2026, 11, 8),
            tree_id=tree.id,
            department_ids=[market, civil, lab],
        )
        for dept, a, b in ((market, "40", "30"), (civil, "35", "35"), (lab, "35", "10")):
            marks = {
                points["职责落实"]: (a, ""),
                points["实地查看"]: (b if dept != civil else "30", ""),
            }
            rounds.save_onsite_scores(
                session,
                round_id=rnd.id,
                department_id=dept,
                scores=marks,
                visited_on=date(2026, 11, 9),
                notes="",
            )
        rounds.save_self_evaluation(
            session,
            round_id=rnd.id,
            department_id=market,
            scores={points["职责落实"]: ("10", "自评")},
            assessment="自查",
            submit=True,
        )
        with pytest.raises(EvaluationError):
            rounds.save_self_evaluation(
                session,
                round_id=rnd.id,
                department_id=market,
                scores={points["填报"]: ("10", "")},
                assessment="",
                submit=False,
            )
        session.commit()
        # No entries: reporting rate 0 → 0; no linked survey → 0. Self-scores do not count.
        live = {u.department_id: u for u in rounds.preview_scores(session, round_id=rnd.id)}
        assert (live[market].score, live[civil].score, live[lab].score) == (70.0, 65.0, 45.0)
        finished = rounds.finish_round(session, round_id=rnd.id)
        session.commit()
        got = [(u.department_id, u.score, u.rank, u.colour, u.measure) for u in finished]
        assert got == [
            (market, 70.0, 1, "yellow", "列入观察期，限期整改"),
            (civil, 65.0, 2, "yellow", "列入观察期，限期整改"),
            (lab, 45.0, 3, "red", "核减编制或暂停用编审批"),
        ]
        with pytest.raises(EvaluationError, match="已结束"):
            rounds.save_onsite_scores(
                session, round_id=rnd.id, department_id=market, scores={}, visited_on=None, notes=""
            )
        frozen = queries.frozen_scores(session, round_id=rnd.id)
        assert [(u.score, u.rank) for u in frozen] == [(70.0, 1), (65.0, 2), (45.0, 3)]


KNOWN_TREE = [
    (
        "职责履行",
        [
            ("职责覆盖", [("职责覆盖率", 20, "computed", "duty_coverage", 0.9)]),
            ("核心聚焦", [("核心职责聚焦度", 10, "computed", "core_focus", 0.6)]),
        ],
    ),
    ("评议", [("实地评", [("实地查看", 70, "scored", None, None)])]),
]


def test_computed_points_from_known_entries_and_frozen_after_new_ones(engine):
    """Coverage 94/132 and core focus 2,560/5,000 h give 15.82 and 8.53 points; finish freezes."""
    from sqlmodel import select

    from backend.models import DutyEntry
    from tests.support.analytics import (
        KNOWN_END,
        KNOWN_START,
        add_known_department,
        add_task_types,
    )

    with Session(engine) as session:
        add_task_types(session)
        known = add_known_department(session)
        unit = known.department.id
        tree = build_tree(session, name="已知答案", spec=KNOWN_TREE)
        points = {p.name: p.id for p in queries.points_of(session, tree_id=tree.id)}
        rnd = rounds.open_round(
            session,
            name="上半年",
            period_start=KNOWN_START,
            period_end=KNOWN_END,
            tree_id=tree.id,
            department_ids=[unit],
        )
        rounds.save_onsite_scores(
            session,
            round_id=rnd.id,
            department_id=unit,
            scores={points["实地查看"]: ("56", "")},
            visited_on=KNOWN_END,
            notes="",
        )
        session.commit()
        coverage, focus = 20 * (94 / 132) / 0.9, 10 * (2560 / 5000) / 0.6
        expected = round(56 + coverage + focus, 2)
        assert expected == 80.36
        live = rounds.preview_scores(session, round_id=rnd.id)
        assert [(u.score, u.colour) for u in live] == [(expected, "green")]
        shown = computed_points(session, rnd=rnd, department_id=unit)  # the unit page, still open
        assert shown[points["职责覆盖率"]][0] == pytest.approx(coverage, abs=1e-4)
        assert shown[points["核心职责聚焦度"]][0] == pytest.approx(focus, abs=1e-4)
        rounds.finish_round(session, round_id=rnd.id)
        session.commit()
        stored = {
            s.point_id: s.score
            for s in queries.point_scores(session, round_id=rnd.id, department_id=unit)
        }
        assert stored[points["职责覆盖率"]] == pytest.approx(coverage, abs=1e-4)
        assert stored[points["核心职责聚焦度"]] == pytest.approx(focus, abs=1e-4)
        # Entries logged later (24 h more, inside the period) change nothing frozen.
        entry = session.exec(select(DutyEntry).where(DutyEntry.department_id == unit)).first()
        assert entry is not None
        for _ in range(3):
            session.add(
                DutyEntry(
                    staff_id=entry.staff_id,
                    department_id=unit,
                    section_id=entry.section_id,
                    work_date=entry.work_date,
                    duty_id=entry.duty_id,
                    task_type_code=entry.task_type_code,
                    hours=8.0,
                    description="补录的核心职责工作",
                )
            )
        session.commit()
        again = rounds.preview_scores(session, round_id=rnd.id)
        assert [(u.score, u.rank, u.colour) for u in again] == [(expected, 1, "green")]
