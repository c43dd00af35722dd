"""Models of the initiatives app, split by concern: proposals (the initiative and what hangs
off it) and plans (実施計画 placement, revisions, KPIs and PDCA reports)."""

from .plans import (
    ImplementationPlan,
    Kpi,
    KpiActual,
    OwnershipTransfer,
    PlanEntry,
    PlanRevision,
    PlanYear,
    ProgressReport,
    ReportEvent,
    ReportReminder,
    ReportSchedule,
)
from .proposals import (
    MAX_YEN,
    Attachment,
    CaseStudy,
    Initiative,
    InitiativeStatus,
    Milestone,
    SelfCheckAnswer,
    StoredFile,
    Transition,
    attachment_path,
)

__all__ = [
    "MAX_YEN",
    "Attachment",
    "CaseStudy",
    "ImplementationPlan",
    "Initiative",
    "InitiativeStatus",
    "Kpi",
    "KpiActual",
    "Milestone",
    "OwnershipTransfer",
    "PlanEntry",
    "PlanRevision",
    "PlanYear",
    "ProgressReport",
    "ReportEvent",
    "ReportReminder",
    "ReportSchedule",
    "SelfCheckAnswer",
    "StoredFile",
    "Transition",
    "attachment_path",
]
