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
from backend.models.review import ApiToken, MonthClosure, MonthReopening, ReviewCursor

__all__ = [
    "ApiToken",
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
    "MonthClosure",
    "MonthReopening",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessedMessage",
    "ReviewCursor",
    "Role",
    "SchedulerLease",
    "Section",
    "Staff",
    "StaffingType",
    "TaskType",
    "WeComToken",
    "utcnow",
]
