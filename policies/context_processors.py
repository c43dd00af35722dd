from django.utils.functional import SimpleLazyObject

from .models import Municipality, PolicyEdition


def portal(request):
    """Portal-wide names, fetched only if a template uses them."""

    def portal_name():
        municipality = Municipality.objects.order_by("pk").first()
        return f"{municipality.name if municipality else ''}DX推進ポータル"

    return {
        "portal_name": SimpleLazyObject(portal_name),
        "edition_in_force": SimpleLazyObject(PolicyEdition.objects.in_force),
    }
