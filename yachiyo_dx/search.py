"""One search box across proposals, meetings and reports: what the user may see of each,
matched word by word (every word must appear) in the title and the text."""

import unicodedata

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from initiatives.models import Initiative
from plans.models import ProgressReport
from plans.workflow import DELIVERED_REPORT_STATES
from reviews.models import Meeting

LIMIT = 20


def words(query: str) -> list[str]:
    """NFKC (全角→半角), split on any space, at most ten words."""
    return unicodedata.normalize("NFKC", query or "").split()[:10]


def _matching(queryset, fields, terms):
    for term in terms:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset


def _reports(user, terms):
    """Submitted reports for every member of staff; those being written, for their owners."""
    if user.is_external:
        return ProgressReport.objects.none()
    visible = Q()
    if not user.is_secretariat:
        visible = Q(status__in=DELIVERED_REPORT_STATES) | Q(entry__owner_id=user.department_id)
    reports = ProgressReport.objects.filter(visible).select_related("entry__initiative")
    return _matching(
        reports, ["entry__initiative__title", "done", "improvement", "risk_note"], terms
    )


@require_safe
@login_required
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    terms = words(query)
    results = {"initiatives": [], "meetings": [], "reports": []}
    if terms:
        user = request.user
        results["initiatives"] = list(
            _matching(
                Initiative.objects.visible_to(user).for_list(),
                ["title", "current_issues", "content"],
                terms,
            ).order_by("-updated_at", "-pk")[:LIMIT]
        )
        results["meetings"] = list(
            _matching(
                Meeting.objects.visible_to(user).select_related("body"),
                ["body__name", "place", "minutes", "agenda__initiative__title"],
                terms,
            )
            .distinct()
            .order_by("-held_on", "-pk")[:LIMIT]
        )
        results["reports"] = list(_reports(user, terms).order_by("-fiscal_year", "-pk")[:LIMIT])
    return render(
        request,
        "search.html",
        {"query": query, "searched": bool(terms), **results, "limit": LIMIT},
    )
