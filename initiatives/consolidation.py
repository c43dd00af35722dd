"""What the proposal's floor knows of a consolidation (the reviews app does it): whether the
latest one can still be undone, which also keeps a merged item from being withdrawn meanwhile."""

from core.models import AuditEvent

from .workflow import InitiativeStatus as S


def pending_consolidation(initiative):
    """The audit row of the consolidation that can still be undone, or None: the latest one,
    not undone, while the merged item is 提出済 and unchanged since (its version then). Any later
    step (a review started, a return and resubmission, another merge) makes it final."""
    if initiative.status != S.SUBMITTED:
        return None
    event = (
        AuditEvent.objects.for_object(initiative)
        .of("initiative.consolidated", "initiative.unconsolidated")
        .order_by("-created_at", "-pk")
        .first()
    )
    if event is None or event.action != "initiative.consolidated":
        return None
    return event if event.after.get("version") == initiative.version else None


def awaiting_undo(initiative) -> bool:
    """A merged item whose consolidation can still be undone is undone, not withdrawn
    (withdrawing it would leave its originals merged into nothing)."""
    return pending_consolidation(initiative) is not None
