"""The dashboard of 情報政策課 and the HQ: where the initiatives stand, in figures."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import figures


@require_safe
@login_required
def index(request):
    if not request.user.can_view_dashboard:
        raise PermissionDenied("ダッシュボードは情報政策課と電子自治体推進本部の方が利用できます。")
    context = figures.overview()
    # The base template's footer names the edition in force too: reuse it, a query less.
    context["edition_in_force"] = context["edition"]
    return render(request, "dashboard/index.html", context)
