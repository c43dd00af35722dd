"""What the initiative's page shows of the proposal itself, for the composed page
(yachiyo_dx.initiative_page), which adds the review's and the plan's sections beside it."""

from django.db.models import Prefetch

from core import audit
from core.models import AuditEvent
from policies.models import ChecklistItem
from policies.names import city

from . import access, history, workflow
from .consolidation import awaiting_undo
from .models import Attachment, Initiative, SelfCheckAnswer
from .similarity import similar_initiatives

S = Initiative.Status


# Events shown in the timeline beside the state changes: what merged into the item, and undoing it.
TIMELINE_EVENTS = ("initiative.consolidated", "initiative.unconsolidated")


def timeline(initiative):
    """The initiative's state changes and consolidations, oldest first, as the page shows them."""
    events = list(
        AuditEvent.objects.for_object(initiative).of("initiative.transition", *TIMELINE_EVENTS)
    )
    names = city()
    states = audit.status_timeline(
        [e for e in events if e.action == "initiative.transition"],
        lambda status: workflow.status_label(status, names),
    )
    others = [
        audit.TimelineEntry(
            label=audit.action_label(e.action),
            created_at=e.created_at,
            actor_name=e.actor_name,
            comment=e.comment,
        )
        for e in events
        if e.action in TIMELINE_EVENTS
    ]
    return sorted(states + others, key=lambda entry: entry.created_at)


def _self_check_rows(initiative):
    checklist = initiative.edition.current_checklist()
    if checklist is None:
        return None, []
    items = ChecklistItem.objects.filter(checklist=checklist).order_by("number")
    answers = {a.item_id: a for a in initiative.self_check.all()}
    return checklist, [(item, answers.get(item.pk)) for item in items]


def _originals(initiative):
    """The proposals merged into this one, each with everything it said (a fixed number of
    queries): the merged item's page keeps them reachable."""
    return (
        initiative.consolidated_from.select_related("department", "department__parent", "proposer")
        .prefetch_related(
            "milestones",
            "case_studies",
            Prefetch("self_check", queryset=SelfCheckAnswer.objects.select_related("item")),
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
        )
        .order_by("pk")
    )


def similar_for(user, initiative):
    """The similar proposals the page shows, and to whom: the owners of an editable proposal
    (who may still join an existing idea instead), and the secretariat. Only proposals the user
    may see are offered."""
    owner = access.can_edit(user, initiative)
    if not (owner or user.is_secretariat):
        return {"similar": None, "similar_for_proposer": False}
    candidates = Initiative.objects.visible_to(user)
    return {"similar": similar_initiatives(initiative, candidates), "similar_for_proposer": owner}


def proposal_section(request, initiative) -> dict:
    """The proposal, its schedule, cases, self-check, attachments, timeline and history, and
    what the user may do with it (a fixed number of queries)."""
    user = request.user
    checklist, rows = _self_check_rows(initiative)
    actions = workflow.available(user, initiative)
    by_service = {rule.service: rule for rule in actions}
    return {
        "initiative": initiative,
        "examples": initiative.examples.select_related("policy").order_by("number"),
        "affected": initiative.affected_departments.select_related("parent").order_by(
            "order", "code"
        ),
        "milestones": initiative.milestones.all(),
        "cases": initiative.case_studies.all(),
        "attachments": initiative.attachments.select_related("uploaded_by"),
        "checklist": checklist,
        "checklist_rows": rows,
        "timeline": timeline(initiative),
        "consolidated_into": initiative.consolidated_into,
        "consolidated_from": _originals(initiative),
        "co_departments": initiative.co_departments.select_related("parent").order_by(
            "order", "code"
        ),
        "changes": history.changes(history.recent_versions(initiative)),
        "can_edit": access.can_edit(user, initiative),
        "submit_action": by_service.get("submit"),
        "withdraw_action": None if awaiting_undo(initiative) else by_service.get("withdraw"),
        "generic_actions": [rule for rule in actions if not rule.service],
        "is_secretariat": user.is_secretariat,
        "returned_because": history.why_returned(initiative),
        **similar_for(user, initiative),
    }
