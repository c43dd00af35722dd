from django.utils.functional import SimpleLazyObject

from .models import PolicyEdition
from .names import city


def portal(request):
    """Portal-wide names, fetched only if a template uses them: the city's own (`names`)."""
    names = SimpleLazyObject(city)
    return {
        "names": names,
        "municipality_name": SimpleLazyObject(lambda: names.municipality),
        "portal_name": SimpleLazyObject(lambda: names.portal),
        "edition_in_force": SimpleLazyObject(PolicyEdition.objects.in_force),
    }
