"""The review's part of an initiative's page (composed by yachiyo_dx.initiative_page)."""


def review_section(request, initiative) -> dict:
    """Its classifications and the meetings that put it on their agenda, with their results."""
    return {
        "agenda_items": initiative.agenda_items.select_related(
            "meeting", "meeting__body", "opinion", "decision"
        ).order_by("meeting__held_on", "pk"),
        "classifications": initiative.classifications.all(),
    }
