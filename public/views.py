"""Citizens' pages (no login) and open data.

These views read only `projection.PublicInitiative` records, never an Initiative.
"""

import json

from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core import cache
from core.spreadsheets import csv_lines

from . import opendata as open_data
from . import projection

OPEN_DATA_NAME = "dx-initiatives"


# --- Citizens' pages --------------------------------------------------------------------------


PAGE_SIZE = 30


@require_safe
def index(request):
    """Public initiatives by 基本方針, a page at a time; `?policy=N` shows one 基本方針."""
    queryset = projection.public_queryset()
    policy = request.GET.get("policy", "")
    counts = cache.shared("public:policy-counts", _policy_counts)
    if policy.isdigit():
        queryset = queryset.filter(policy__number=int(policy))
    page = Paginator(projection.ordered(queryset).values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    records = projection.public_initiatives(
        projection.public_queryset().filter(pk__in=list(page.object_list))
    )
    return render(
        request,
        "public/index.html",
        {
            "groups": projection.by_policy(records),
            "count": sum(c["count"] for c in counts),
            "policy_counts": counts,
            "policy": int(policy) if policy.isdigit() else None,
            "page": page,
            "query": f"policy={policy}" if policy.isdigit() else "",
        },
    )


def _policy_counts():
    """[{number, name, count}] of public initiatives per 基本方針, 未分類 last. 1 query."""
    return [
        {"number": row["policy__number"], "name": row["policy__name"], "count": row["n"]}
        for row in projection.public_queryset()
        .values("policy__number", "policy__name")
        .annotate(n=Count("pk"))
        .order_by(F("policy__number").asc(nulls_last=True))
    ]


@require_safe
def detail(request, pk):
    # The same record for every citizen (core.cache); one that is not public is not kept.
    record = cache.shared(f"public:initiative:{pk}", lambda: projection.public_initiative(pk))
    if record is None:
        raise Http404("公開されている取組が見つかりません。")
    return render(request, "public/detail.html", {"item": record})


@require_safe
def opendata(request):
    return render(request, "public/opendata.html", {"fields": open_data.FIELDS})


def _rows(request):
    return open_data.rows(projection.public_initiatives(), request.build_absolute_uri)


def _open(response):
    # Open data: any site may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def opendata_csv(request):
    lines = csv_lines([open_data.CSV_HEADERS, *(row.values() for row in _rows(request))])
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{OPEN_DATA_NAME}.csv"'
    return _open(response)


@require_safe
def opendata_json(request):
    data = {
        "schema": request.build_absolute_uri(reverse("public:opendata")),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "initiatives": _rows(request),
    }
    return _open(
        HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    )
