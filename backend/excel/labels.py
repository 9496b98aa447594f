"""Chinese labels used in the workbooks and the console."""

from __future__ import annotations

from backend.models.org import FUNCTION_TYPE_LABELS, STAFFING_TYPE_LABELS

STATUS_LABELS = {"submitted": "待审核", "approved": "已通过", "returned": "已退回"}
SOURCE_LABELS = {"chat": "企业微信", "quick": "快捷填报", "console": "后台", "api": "接口"}
FUNCTION_LABELS = {k.value: v for k, v in FUNCTION_TYPE_LABELS.items()}
STAFFING_LABELS = {k.value: v for k, v in STAFFING_TYPE_LABELS.items()}
SUMMARY_KINDS = {"department": "按部门", "section": "按科室", "person": "按人员"}
ROLE_LABELS = {"工作人员": "staff", "审核员": "reviewer", "部门负责人": "head", "管理员": "admin"}
