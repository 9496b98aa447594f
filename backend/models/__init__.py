"""SQLModel tables; importing this package registers every table on `SQLModel.metadata`."""

# The staffing, evaluation and ledger tables are imported from their modules by name.
from backend.models import evaluation as evaluation
from backend.models import ledger as ledger
from backend.models import staffing as staffing
from backend.models.accounts import Account, AccountRole, AuditLog, ConsoleSetting
from backend.models.analytics import ScoringConfig
from backend.models.common import saved_id, saved_ids, utcnow
from backend.models.entries import DutyEntry, EntryStatus, TaskType
from backend.models.grants import GrantStatus, RoleGrant
from backend.models.infra import (
    BOT_LEASE,
    SCHEDULER_LEASE,
    Conversation,
    JobRun,
    OutboxMessage,
    OutboxStatus,
    ProcessedMessage,
    SchedulerLease,
    WeComToken,
)
from backend.models.jobs import Job, JobStatus
from backend.models.limits import RateLimitCounter
from backend.models.org import (
    BotGroupChat,
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
from backend.models.outbox_limits import OutboxMemberSend
from backend.models.review import ApiToken, MonthClosure, MonthReopening, ReviewCursor
from backend.models.schedule import (
    Absence,
    AbsenceKind,
    AbsenceSource,
    CalendarOverride,
    Notice,
    NoticeGroupPost,
    NoticeRecipient,
    ReminderSetting,
    WorkDayException,
    WorkPattern,
)
from backend.models.supervision import (
    Rating,
    RatingLevel,
    SupervisionCode,
    WorkOrder,
    WorkOrderStatus,
)
from backend.models.surveys import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyTarget,
)

__all__ = [
    "BOT_LEASE",
    "SCHEDULER_LEASE",
    "Absence",
    "AbsenceKind",
    "AbsenceSource",
    "Account",
    "AccountRole",
    "ApiToken",
    "AuditLog",
    "BotGroupChat",
    "CalendarOverride",
    "ChatTargetKind",
    "ConsoleSetting",
    "Conversation",
    "Department",
    "DepartmentKind",
    "Duty",
    "DutyEntry",
    "EntryStatus",
    "FunctionType",
    "GrantStatus",
    "Job",
    "JobRun",
    "JobStatus",
    "KeyTask",
    "KeyTaskDuty",
    "MonthClosure",
    "MonthReopening",
    "Notice",
    "NoticeGroupPost",
    "NoticeRecipient",
    "OutboxMemberSend",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessedMessage",
    "RateLimitCounter",
    "Rating",
    "RatingLevel",
    "ReminderSetting",
    "ReviewCursor",
    "Role",
    "RoleGrant",
    "SchedulerLease",
    "ScoringConfig",
    "Section",
    "Staff",
    "StaffingType",
    "SupervisionCode",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyTarget",
    "TaskType",
    "WeComToken",
    "WorkDayException",
    "WorkOrder",
    "WorkOrderStatus",
    "WorkPattern",
    "saved_id",
    "saved_ids",
    "utcnow",
]
