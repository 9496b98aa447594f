"""The Chinese names of the job kinds, shown in the console (no imports of the work itself)."""

from __future__ import annotations

LABELS = {
    "import_roster": "导入人员名册",
    "import_duties": "导入三定职责清单",
    "import_output": "导入办件数据",
    "import_survey": "导入问卷模板",
    "import_calendar": "导入节假日安排",
    "export_entries": "导出履职记录",
    "export_summary": "导出汇总表",
    "report_download": "生成报告",
    "report_request": "生成并发送报告",
    "wecom_sync": "同步企业微信通讯录",
    "approval_sync": "同步企业微信审批（请假、出差）",
}
STATUS_LABELS = {"queued": "排队中", "running": "处理中", "done": "已完成", "failed": "失败"}


def label_of(kind: str) -> str:
    """Return the Chinese label of a job kind (the kind itself when unknown)."""
    return LABELS.get(kind, kind)
