"""Who may see and change plan records. Views fetch through these helpers: 404 for what the
user may not see, 403 for what the user may see but not change. Every signed-in member of
staff may read the plan and its reports; the secretariat revises plans and confirms reports;
the owning department writes its reports."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.permissions import require_secretariat
from initiatives.workflow import ACTIVE

from . import queries, workflow
from .models import ImplementationPlan, ProgressReport


def can_write_report(user, entry) -> bool:
    """Members of the owning department write its reports."""
    return workflow.is_report_actor(user, entry, workflow.OWNER)


def can_report_on(user, entry) -> bool:
    """Whether the user may start a report for the entry now (its item is being followed up)."""
    return can_write_report(user, entry) and entry.initiative.status in ACTIVE


def plan_for_user(request, pk) -> ImplementationPlan:
    plan = ImplementationPlan.objects.select_related("measure").filter(pk=pk).first()
    if plan is None:
        raise Http404("実施計画が見つかりません。")
    return plan


def entry_for_user(request, pk, *, write=False):
    """A placement with its revisions prefetched; write=True: one the user may revise or
    report on (the secretariat), else 403."""
    entry = queries.entry_with_plans(pk)
    if entry is None:
        raise Http404("位置付けが見つかりません。")
    if write:
        require_secretariat(request.user)
    return entry


def report_entry_for_user(request, pk):
    """A placement the user may write a report for (its owning department), else 403."""
    entry = queries.entry_with_plans(pk)
    if entry is None:
        raise Http404("位置付けが見つかりません。")
    if not can_write_report(request.user, entry):
        raise PermissionDenied("進捗報告は担当課の職員が作成します。")
    return entry


def report_for_user(request, pk) -> ProgressReport:
    report = (
        ProgressReport.objects.select_related(
            "entry", "entry__initiative", "entry__owner", "entry__owner__parent", "updated_by"
        )
        .filter(pk=pk)
        .first()
    )
    if report is None or not can_read_report(request.user, report):
        raise Http404("進捗報告が見つかりません。")
    return report


def can_read_report(user, report) -> bool:
    """A report being written (作成中, or sent back) is the owning department's and the
    secretariat's; once submitted, every member of staff may read it."""
    if report.is_editable:
        return user.is_secretariat or can_write_report(user, report.entry)
    return not user.is_external
