"""The review's part of an initiative's page (composed by yachiyo_dx.initiative_page)."""

from django.db.models import Prefetch

from .models import ChecklistReview, ChecklistReviewAnswer, Correction
from .services.consolidation import can_undo


def review_section(request, initiative) -> dict:
    """Its checklist review by the secretariat (the latest), its classifications and the
    meetings that put it on their agenda, with their results and corrections."""
    review = (
        ChecklistReview.objects.filter(initiative=initiative)
        .select_related("checklist")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=ChecklistReviewAnswer.objects.select_related("item", "reviewer"),
            )
        )
        .order_by("-created_at")
        .first()
    )
    return {
        "checklist_review": review,
        "agenda_items": initiative.agenda_items.select_related(
            "meeting", "meeting__body", "opinion", "decision"
        )
        .prefetch_related(Prefetch("corrections", queryset=Correction.objects.all()))
        .order_by("meeting__held_on", "pk"),
        "classifications": initiative.classifications.all(),
        "can_undo_consolidation": request.user.is_secretariat and can_undo(initiative),
    }
