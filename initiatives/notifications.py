"""Who is told about an initiative, and the link they follow (mail itself: core.notifications)."""

from django.contrib.auth import get_user_model

from core.notifications import notify

__all__ = ["notify", "owners", "secretariat_staff"]


def secretariat_staff():
    return get_user_model().objects.secretariat()


def owners(initiative):
    """The proposer and the DX推進員 of the proposing department, and, for a consolidated
    initiative, the proposers of the originals too."""
    User = get_user_model()
    originals = list(initiative.consolidated_from.select_related("proposer"))
    departments = {initiative.department_id, *(o.department_id for o in originals)}
    promoters = User.objects.promoters_of(departments)
    return [initiative.proposer, *(o.proposer for o in originals), *promoters]
