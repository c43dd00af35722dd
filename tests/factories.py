"""Builders for initiatives in a given state, straight through the ORM (no views)."""

import datetime

from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from initiatives import similarity_index
from initiatives.models import Initiative, Milestone, SelfCheckAnswer
from policies.models import Channel, PolicyEdition


def complete_fields(**overrides):
    fields = {
        "title": "電子申請の拡充",
        "current_issues": "窓口での紙の申請が多い。",
        "content": "主要な手続を電子申請にする。",
        "effect_citizens": "来庁せずに申請できる。",
        "effect_staff": "入力作業が減る。",
        "staff_hours_saved": 1200,
        "small_start_plan": "まず3手続で試行する。",
        "initial_cost": 3_000_000,
        "running_cost": 500_000,
        "funding_sources": ["general"],
        "security": "LGWAN接続系で運用する。",
    }
    fields.update(overrides)
    return fields


def make_initiative(
    proposer, *, status=Initiative.Status.DRAFT, complete=True, channel="department", **overrides
):
    edition = PolicyEdition.objects.in_force()
    policy = edition.policies.get(number=overrides.pop("policy_number", 2))
    into = overrides.pop("consolidated_into", None)
    if status == Initiative.Status.CONSOLIDATED and into is None:
        # The database insists that a merged proposal names what it was merged into.
        into = make_initiative(proposer, status=Initiative.Status.SUBMITTED, complete=False)
    fields = (
        complete_fields(**overrides) if complete else {"title": overrides.get("title", "書きかけ")}
    )
    initiative = Initiative.objects.create(
        edition=edition,
        channel=Channel.objects.get(code=channel),
        department=proposer.department,
        proposer=proposer,
        policy=policy if complete else None,
        status=status,
        consolidated_into=into,
        submitted_at=timezone.now() if status != Initiative.Status.DRAFT else None,
        **fields,
    )
    if complete:
        initiative.affected_departments.add(proposer.department)
        initiative.examples.add(policy.examples.first())
        Milestone.objects.create(initiative=initiative, kind="budget", target_fiscal_year=2026)
        Milestone.objects.create(
            initiative=initiative, kind="launch", target_date=datetime.date(2027, 4, 1), order=1
        )
        for item in edition.current_checklist().items.all():
            SelfCheckAnswer.objects.create(initiative=initiative, item=item, answer="ok")
    if status != Initiative.Status.DRAFT:
        with transaction.atomic():
            audit.record(
                actor=proposer,
                action="initiative.transition",
                obj=initiative,
                before={"status": "draft"},
                after={"status": status},
            )
        # As the services would have done on the way to this state.
        similarity_index.refresh(initiative)
    return initiative


def transitions(obj):
    """The state changes of an initiative (or a report) in the audit log, oldest first."""
    action = (
        "report.transition" if obj._meta.model_name == "progressreport" else "initiative.transition"
    )
    return AuditEvent.objects.for_object(obj).of(action)
