"""Reads of the review: the checklist in force and an initiative's review of it."""

from policies.models import PolicyEdition

from .models import ChecklistReview


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
