"""Master data that many pages read on every request (the edition in force in the footer, its
policies and examples on the home page), from the shared cache (core.cache): it changes only
with an edit of the master data, which moves the cache's generation on."""

from django.db.models import Prefetch
from django.utils import timezone

from core import cache

from .models import ExampleInitiative, PolicyEdition


def edition_in_force():
    """Today's edition in force (None before the first is adopted: then read every time)."""
    today = timezone.localdate()
    return cache.shared(f"edition:in-force:{today}", PolicyEdition.objects.in_force)


def policies_with_examples(edition):
    """The edition's policies with their examples (two queries when not cached)."""
    return cache.shared(
        f"edition:{edition.pk}:policies",
        lambda: list(
            edition.policies.prefetch_related(
                Prefetch("examples", queryset=ExampleInitiative.objects.order_by("number"))
            ).order_by("number")
        ),
    )
