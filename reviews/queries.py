"""Reads of the review: the checklist an initiative is reviewed against and its review."""

from django.db.models import Count, Exists, OuterRef, Q

from initiatives.models import Initiative
from initiatives.workflow import AGENDA_STATES
from policies.models import Body

from .models import AgendaItem, ChecklistReview


def checklist_for(initiative):
    """What an initiative is reviewed against: the newest checklist of the edition it was
    proposed under (an item keeps its edition when a new one is adopted)."""
    return initiative.edition.current_checklist()


def current_review(initiative):
    """The review of the item's checklist, if one was started."""
    checklist = checklist_for(initiative)
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


def unrecorded_by_body(today) -> dict[str, tuple[int, int]]:
    """Per body (by code), how many agenda items of its meetings held by today still lack their
    opinion and their decision: the same for everyone, so that each person's share is a sum
    over the bodies they sit on (the secretariat's over all)."""
    rows = (
        _open_items()
        .filter(meeting__held_on__lte=today)
        .order_by()
        .values_list("meeting__body__code")
        .annotate(
            opinions=Count(
                "pk", filter=Q(opinion__isnull=True, meeting__body__kind=Body.Kind.COUNCIL)
            ),
            decisions=Count(
                "pk", filter=Q(decision__isnull=True, meeting__body__kind=Body.Kind.HEADQUARTERS)
            ),
        )
        .values_list("meeting__body__code", "opinions", "decisions")
    )
    return {code: (opinions, decisions) for code, opinions, decisions in rows}


def awaiting_record(user, today):
    """Agenda items of meetings held by today whose record (opinion or decision) this user
    may write and nobody has written yet: the secretariat's for every body, a member's for
    the bodies they sit on."""
    items = _open_items().filter(meeting__held_on__lte=today)
    if not user.is_secretariat:
        items = items.filter(meeting__body__in=user.bodies.all())
    return items
