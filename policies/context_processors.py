from django.utils.functional import SimpleLazyObject

from .models import Municipality, PolicyEdition


def portal(request):
    """Portal-wide names, fetched only if a template uses them."""

    def municipality_name():
        municipality = Municipality.objects.order_by("pk").first()
        return municipality.name if municipality else ""

    name = SimpleLazyObject(municipality_name)
    return {
        "municipality_name": name,
        "portal_name": SimpleLazyObject(lambda: f"{name}DX推進ポータル"),
        "edition_in_force": SimpleLazyObject(PolicyEdition.objects.in_force),
    }
