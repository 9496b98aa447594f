"""The county's default indicator tree: 7 first-level, 21 second-level, 30 points, 100 marks."""

from __future__ import annotations

from sqlmodel import Session

from backend.evaluation.tree import build_tree
from backend.models.evaluation import IndicatorTree

C, S = "computed", "scored"
NAME = "机构编制执行情况评估指标体系"

DEFAULT_TREE = [
    (
        "机构编制执行",
        [
            ("三定规定落实", [("内设机构设置与三定规定一致", 4, S, None, None)]),
            (
                "编制使用",
                [("无超编超职数配备", 4, S, None, None), ("编制使用台账规范", 3, S, None, None)],
            ),
            ("领导职数管理", [("领导职数按核定配备", 3, S, None, None)]),
        ],
    ),
    (
        "职责履行",
        [
            ("核心职能履行", [("核心职责工时占比", 5, C, "core_focus", 0.6)]),
            (
                "职责覆盖",
                [
                    ("主要职责填报覆盖", 5, C, "duty_coverage", 0.9),
                    ("职责边界清晰无交叉扯皮", 3, S, None, None),
                ],
            ),
            (
                "重点任务",
                [
                    ("年度重点工作任务完成", 4, S, None, None),
                    ("重点任务与职责关联", 2, S, None, None),
                ],
            ),
        ],
    ),
    (
        "日常工作",
        [
            ("履职填报", [("人员履职填报率", 5, C, "reporting_rate", 0.95)]),
            ("审核把关", [("履职信息审核率", 3, C, "review_rate", 0.95)]),
            ("工作饱和度", [("工作量饱和度", 4, C, "workload_ratio", 0.9)]),
        ],
    ),
    (
        "编制使用效益",
        [
            ("业务办理", [("每编办件量与全县平均比", 5, C, "output_per_post", 1.0)]),
            ("办理时效", [("按时办结率", 3, C, "output_on_time", 1.0)]),
            (
                "人员结构",
                [
                    ("人员年龄学历结构合理", 3, S, None, None),
                    ("编外人员管理规范", 2, S, None, None),
                ],
            ),
        ],
    ),
    (
        "群众满意",
        [
            ("扫码评价", [("好差评满意率", 5, C, "qr_satisfaction", 0.95)]),
            (
                "热线办理",
                [("12345 热线诉求办理", 3, S, None, None), ("热线诉求按时回复", 3, S, None, None)],
            ),
            ("电话回访", [("群众电话回访满意度", 3, S, None, None)]),
        ],
    ),
    (
        "评议评价",
        [
            (
                "部门自己评",
                [
                    ("自评问卷得分", 5, C, "survey_self", 1.0),
                    ("自查自评报告质量", 3, S, None, None),
                ],
            ),
            (
                "部门互相评",
                [
                    ("互评问卷得分", 6, C, "survey_mutual", 1.0),
                    ("部门间协作配合", 2, S, None, None),
                ],
            ),
            (
                "编办实地评",
                [("实地查看内设机构挂牌", 2, S, None, None), ("个别谈话情况", 2, S, None, None)],
            ),
        ],
    ),
    (
        "整改落实",
        [
            (
                "问题整改",
                [("重点问题按期整改", 3, S, None, None), ("整改报告质量", 2, S, None, None)],
            ),
            ("回头看", [("回头看问题销号", 2, S, None, None)]),
            ("制度建设", [("机构编制管理制度健全", 1, S, None, None)]),
        ],
    ),
]


def create_default_tree(session: Session) -> IndicatorTree:
    """Create the county's default tree (the next version if one exists)."""
    return build_tree(session, name=NAME, spec=DEFAULT_TREE, note="县默认指标体系")
