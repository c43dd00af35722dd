from django.shortcuts import render
from django.views.decorators.http import require_safe

from policies.models import PolicyEdition
from policies.views import policies_with_examples


@require_safe
def home(request):
    edition = PolicyEdition.objects.in_force()
    return render(
        request,
        "home.html",
        {
            "edition": edition,
            "policies": policies_with_examples(edition) if edition else [],
        },
    )
