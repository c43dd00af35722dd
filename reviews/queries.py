"""Reads of the review: the checklist in force and an initiative's review of it."""

from django.db.models import Exists, OuterRef, Q

from initiatives.models import Initiative
from initiatives.workflow import AGENDA_STATES
from policies.models import Body, PolicyEdition

from .models import AgendaItem, ChecklistReview


def checklist_in_force():
    edition = PolicyEdition.objects.in_force()
    return edition.current_checklist() if edition else None


def current_review(initiative):
    """The review of the checklist version in force, if one was started."""
    checklist = checklist_in_force()
    if checklist is None:
        return None
    return (
        ChecklistReview.objects.filter(initiative=initiative, checklist=checklist)
        .prefetch_related("answers__reviewer")
        .first()
    )


def _open_items():
    """Agenda items whose body has not yet recorded what it said: an opinion where the body
    gives opinions, a decision where it decides."""
    return AgendaItem.objects.filter(
        Q(meeting__body__kind=Body.Kind.COUNCIL, opinion__isnull=True)
        | Q(meeting__body__kind=Body.Kind.HEADQUARTERS, decision__isnull=True)
    )


def awaiting_agenda(queryset=None):
    """Items waiting for a body (付議・審議) that no meeting of that body has on its agenda yet."""
    queryset = Initiative.objects.all() if queryset is None else queryset
    open_items = _open_items().filter(initiative=OuterRef("pk"))
    on_council = Exists(open_items.filter(meeting__body__kind=Body.Kind.COUNCIL))
    on_hq = Exists(open_items.filter(meeting__body__kind=Body.Kind.HEADQUARTERS))
    waiting = Q(status__in=AGENDA_STATES[Body.Kind.COUNCIL]) & ~on_council
    waiting |= Q(status__in=AGENDA_STATES[Body.Kind.HEADQUARTERS]) & ~on_hq
    return queryset.filter(waiting)


def awaiting_record(user, today):
    """Agenda items of meetings held by today whose record (opinion or decision) this user
    may write and nobody has written yet: the secretariat's for every body, a member's for
    the bodies they sit on."""
    items = _open_items().filter(meeting__held_on__lte=today)
    if not user.is_secretariat:
        items = items.filter(meeting__body__in=user.bodies.all())
    return items
