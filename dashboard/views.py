"""The dashboard of the secretariat and the HQ: where the initiatives stand, in figures."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.permissions import staff_required
from core import cache
from policies.names import city

from . import figures


@require_safe
@staff_required
def index(request):
    if not request.user.can_view_dashboard:
        names = city()
        raise PermissionDenied(
            f"ダッシュボードは{names.secretariat}と{names.decision}の方が利用できます。"
        )
    # The same figures for everyone who may see them: computed once per change of the data.
    context = dict(cache.shared(f"dashboard:{timezone.localdate()}", figures.overview))
    # The base template's footer names the edition in force too: reuse it, a query less.
    context["edition_in_force"] = context["edition"]
    return render(request, "dashboard/index.html", context)
