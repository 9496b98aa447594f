"""SQLModel tables; importing this package registers every table on `SQLModel.metadata`."""

from backend.models.common import utcnow
from backend.models.entries import DutyEntry, EntryStatus, TaskType
from backend.models.infra import (
    Conversation,
    JobRun,
    OutboxMessage,
    OutboxStatus,
    ProcessedMessage,
    SchedulerLease,
    WeComToken,
)
from backend.models.org import (
    ChatTargetKind,
    Department,
    DepartmentKind,
    Duty,
    FunctionType,
    KeyTask,
    KeyTaskDuty,
    Role,
    Section,
    Staff,
    StaffingType,
)

__all__ = [
    "ChatTargetKind",
    "Conversation",
    "Department",
    "DepartmentKind",
    "Duty",
    "DutyEntry",
    "EntryStatus",
    "FunctionType",
    "JobRun",
    "KeyTask",
    "KeyTaskDuty",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessedMessage",
    "Role",
    "SchedulerLease",
    "Section",
    "Staff",
    "StaffingType",
    "TaskType",
    "WeComToken",
    "utcnow",
]
