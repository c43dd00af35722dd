"""Follow-up of the items a department carries out itself (所管課推進): who writes their progress
notes, which are due and which are late. Reads only; the note is written by services.notes."""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from core.models import AuditEvent
from initiatives import workflow
from initiatives.models import Initiative

from .models import PlanEntry, ProgressNote

S = Initiative.Status
# A department-led item is followed up by notes from its classification until it ends or is
# placed in a 実施計画 (then its PDCA reports take over).
NOTE_STATES = (S.DEPARTMENT_LED, S.IN_PROGRESS)


def department_led(queryset=None):
    """Items followed up with progress notes: department-led, not placed in a plan."""
    queryset = Initiative.objects.all() if queryset is None else queryset
    placed = PlanEntry.objects.filter(initiative=OuterRef("pk"))
    return queryset.filter(status__in=NOTE_STATES).exclude(Exists(placed))


def is_department_led(initiative) -> bool:
    return department_led(Initiative.objects.filter(pk=initiative.pk)).exists()


def can_write_note(user, initiative) -> bool:
    """Those who start the item write its notes: the proposer and the department's DX推進員
    (the owners of the transition table)."""
    return workflow.is_actor(user, initiative, workflow.OWNERS)


def max_next_due(recorded_on) -> datetime.date:
    return recorded_on + datetime.timedelta(days=settings.NOTE_MAX_INTERVAL_DAYS)


def too_far_message():
    return f"次回の記録予定日は、記録日から{settings.NOTE_MAX_INTERVAL_DAYS}日以内にしてください。"


@dataclasses.dataclass
class DueNote:
    initiative: Initiative
    due_on: datetime.date
    last: ProgressNote | None

    def is_overdue(self, today):
        return self.due_on < today


def _classified_on(ids):
    """{initiative id: the date it became department-led} (one query)."""
    events = (
        AuditEvent.objects.for_objects(Initiative, ids)
        .of("initiative.transition")
        .filter(after__status=S.DEPARTMENT_LED)
        .order_by("created_at")
        .values_list("object_id", "created_at")
    )
    return {pk: timezone.localtime(at).date() for pk, at in events}


def notes_due(*, department=None, queryset=None) -> list[DueNote]:
    """Every department-led item with the date its next note is due, earliest first: the last
    note's next date, or NOTE_FIRST_DUE_DAYS after classification. Three queries."""
    items = department_led(queryset)
    if department is not None:
        items = items.filter(department=department)
    latest = ProgressNote.objects.order_by("-recorded_on", "-pk")
    items = list(
        items.select_related("department", "department__parent").prefetch_related(
            Prefetch("progress_notes", queryset=latest, to_attr="notes_latest_first")
        )
    )
    classified = _classified_on([i.pk for i in items])
    first_due = datetime.timedelta(days=settings.NOTE_FIRST_DUE_DAYS)
    out = []
    for item in items:
        last = item.notes_latest_first[0] if item.notes_latest_first else None
        if last is not None:
            due_on = last.next_due
        else:
            start = classified.get(item.pk) or timezone.localtime(item.updated_at).date()
            due_on = start + first_due
        out.append(DueNote(item, due_on, last))
    out.sort(key=lambda d: (d.due_on, d.initiative.department.order, d.initiative.pk))
    return out
