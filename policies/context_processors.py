from django.utils.functional import SimpleLazyObject

from .names import city
from .shared import edition_in_force


def portal(request):
    """Portal-wide names, fetched only if a template uses them: the city's own (`names`)."""
    names = SimpleLazyObject(city)
    return {
        "names": names,
        "municipality_name": SimpleLazyObject(lambda: names.municipality),
        "portal_name": SimpleLazyObject(lambda: names.portal),
        "edition_in_force": SimpleLazyObject(edition_in_force),
    }
