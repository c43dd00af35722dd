"""An initiative's page: the proposal with its review and its plan beside it.

It needs both sibling apps (reviews and plans), which never import each other, so it is
composed here, one floor above them, from the section each app gives of itself.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.permissions import staff_required
from initiatives.access import initiative_for_user
from initiatives.sections import proposal_section
from plans.sections import plan_section
from reviews.sections import review_section


@require_safe
@staff_required
def initiative_detail(request, pk):
    initiative = initiative_for_user(request, pk)
    context = {
        **proposal_section(request, initiative),
        **review_section(request, initiative),
        **plan_section(request, initiative),
    }
    return render(request, "initiatives/initiative_detail.html", context)
