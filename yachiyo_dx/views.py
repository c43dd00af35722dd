"""The home page: what waits for the signed-in user, counts and the next meetings."""

import collections

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core import cache
from initiatives.access import channels_for
from initiatives.models import Initiative
from initiatives.workflow import status_label
from policies.models import Channel
from policies.shared import edition_in_force, policies_with_examples
from reviews.models import Meeting

from .worklists import worklist

S = Initiative.Status


@require_safe
def home(request):
    edition = edition_in_force()
    context = {
        "edition": edition,
        "policies": policies_with_examples(edition) if edition else [],
    }
    user = request.user
    if user.is_authenticated and user.is_external:
        context.update(_external_member(user))
    elif user.is_authenticated:
        by_status = _status_counts(user)
        context.update(
            {
                "waiting": worklist(user),
                "status_counts": [
                    (s.value, status_label(s), by_status[s.value])
                    for s in S
                    if by_status.get(s.value)
                ],
                "meetings": _next_meetings(),
                "can_propose": bool(channels_for(user, _channels())),
            }
        )
    return render(request, "home.html", context)


def _next_meetings():
    """The next five meetings, the same for every member of staff (core.cache)."""
    today = timezone.localdate()
    return cache.shared(
        f"home:meetings:{today}",
        lambda: list(Meeting.objects.upcoming(today).select_related("body")[:5]),
    )


def _channels():
    return cache.shared("channels", lambda: list(Channel.objects.select_related("committee")))


def _by_status(queryset):
    return collections.Counter(
        dict(
            queryset.order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    )


def _status_counts(user):
    """Initiatives by state as this person sees them. The submitted ones are the same for
    everyone and counted once per change of the data (core.cache); those never submitted apart:
    every draft for the secretariat (the same for all of it, so cached too), otherwise the few
    this person may see (their own, their department's)."""
    counts = collections.Counter(
        cache.shared(
            "home:submitted-by-status",
            lambda: dict(_by_status(Initiative.objects.filter(submitted_at__isnull=False))),
        )
    )
    if user.is_secretariat:
        # Every draft in the city, the same for the whole secretariat.
        unsubmitted = cache.shared(
            "home:unsubmitted-by-status",
            lambda: dict(_by_status(Initiative.objects.filter(submitted_at__isnull=True))),
        )
    else:
        unsubmitted = _by_status(
            Initiative.objects.visible_to(user).filter(submitted_at__isnull=True)
        )
    counts.update(unsubmitted)
    return counts


def _external_member(user):
    """An external member's home: the agenda of their bodies waiting for them, and the next
    meetings of those bodies. Nothing of the internal lists."""
    return {
        "waiting": worklist(user),
        "meetings": Meeting.objects.visible_to(user)
        .upcoming(timezone.localdate())
        .select_related("body")[:5],
        "can_propose": False,
    }
