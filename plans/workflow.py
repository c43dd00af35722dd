"""A progress report's states and the table of who may move it where.

The owning department writes and submits its report; the secretariat confirms it or sends it back
with a reason. `services.report_transition` enforces the table; pages ask it what to offer.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from accounts import roles


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "作成中"
    SUBMITTED = "submitted", "提出済"
    RETURNED = "returned", "差戻し"
    CONFIRMED = "confirmed", "確認済"


R = ReportStatus

# The owning department may still change the report.
EDITABLE_REPORT_STATES = (R.DRAFT, R.RETURNED)
# Counted as delivered: no longer due.
DELIVERED_REPORT_STATES = (R.SUBMITTED, R.CONFIRMED)

# What a report must say before it is submitted, with the words a form or a workbook uses.
REQUIRED_FOR_SUBMISSION = {
    "done": "実績（Do）",
    "evaluation": "評価",
    "progress_percent": "進捗率",
}
_NULLABLE = {"progress_percent"}


def complete_condition() -> Q:
    """The database's form of REQUIRED_FOR_SUBMISSION (for the check constraint)."""
    condition = Q()
    for name in REQUIRED_FOR_SUBMISSION:
        condition &= Q(**{f"{name}__isnull": False}) if name in _NULLABLE else ~Q(**{name: ""})
    return condition


def missing_for_submission(values) -> list[str]:
    """Labels of what `values` (a report or a dict) lacks for submission, in order."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    return [label for name, label in REQUIRED_FOR_SUBMISSION.items() if get(name) in (None, "")]


OWNER = "owner"  # a member of the entry's owning department
SECRETARIAT = roles.SECRETARIAT


@dataclass(frozen=True)
class ReportRule:
    source: str
    target: str
    actor: str
    label: str
    comment_required: bool = False


REPORT_RULES = (
    ReportRule(R.DRAFT, R.SUBMITTED, OWNER, "提出する"),
    ReportRule(R.RETURNED, R.SUBMITTED, OWNER, "再提出する"),
    ReportRule(R.SUBMITTED, R.CONFIRMED, SECRETARIAT, "確認済にする"),
    ReportRule(R.SUBMITTED, R.RETURNED, SECRETARIAT, "差し戻す", comment_required=True),
)
REPORT_TABLE = {(r.source, r.target): r for r in REPORT_RULES}

TONES = {R.CONFIRMED: "done"}


def tone(status) -> str:
    return TONES.get(status, "active")


def report_rule(source, target) -> ReportRule | None:
    return REPORT_TABLE.get((source, target))


def is_report_actor(user, entry, actor) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if actor == OWNER:
        return user.department_id == entry.owner_id
    return user.has_role(actor)
