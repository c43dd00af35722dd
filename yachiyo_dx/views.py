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
from policies.models import Channel, PolicyEdition
from policies.views import policies_with_examples
from reviews.models import Meeting

from .worklists import worklist

S = Initiative.Status


@require_safe
def home(request):
    edition = PolicyEdition.objects.in_force()
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
                "meetings": Meeting.objects.upcoming(timezone.localdate()).select_related("body")[
                    :5
                ],
                "can_propose": bool(
                    channels_for(user, Channel.objects.select_related("committee"))
                ),
            }
        )
    return render(request, "home.html", context)


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
    everyone and counted once per change of the data (core.cache); the few never submitted that
    they may see (their own, their department's, or all drafts for the secretariat) apart."""
    counts = collections.Counter(
        cache.shared(
            "home:submitted-by-status",
            lambda: dict(_by_status(Initiative.objects.filter(submitted_at__isnull=False))),
        )
    )
    counts.update(_by_status(Initiative.objects.visible_to(user).filter(submitted_at__isnull=True)))
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
