"""Citizens' pages (no login) and open data.

These views read only `projection.PublicInitiative` records, never an Initiative.
"""

import json

from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core import cache
from core.spreadsheets import csv_lines
from policies.names import city

from . import opendata as open_data
from . import projection

OPEN_DATA_NAME = "dx-initiatives"


# --- Citizens' pages --------------------------------------------------------------------------


PAGE_SIZE = 30


@require_safe
def index(request):
    """Public initiatives by 基本方針, a page at a time; `?policy=N` shows one 基本方針.

    The list is the same for every citizen: rendered once per change of the data, per
    基本方針 and page (core.cache). The page number is settled from the cached counts first, so
    that only the pages that exist are ever kept."""
    counts = cache.shared("public:policy-counts", _policy_counts)
    count = sum(c["count"] for c in counts)
    policy = request.GET.get("policy", "")
    number = int(policy) if policy.isdigit() and len(policy) <= 9 else None
    if number is not None:
        shown = [c["count"] for c in counts if c["number"] == number]
        # Every 基本方針 with nothing public shows the same empty page: one key for them all.
        listed, key = (shown[0], number) if shown else (0, "none")
    else:
        listed, key = count, "all"
    page_number = Paginator(range(listed), PAGE_SIZE).get_page(request.GET.get("page")).number
    content = cache.shared(
        f"public:index:{key}:{page_number}",
        lambda: render_to_string(
            "public/index_content.html", _index(counts, count, number, page_number)
        ),
    )
    return render(request, "public/index.html", {"content": content, "count": count})


def _index(counts, count, number, page_number):
    """The list's context; rendered without the request, so the names are given here."""
    queryset = projection.public_queryset()
    if number is not None:
        queryset = queryset.filter(policy__number=number)
    page = Paginator(projection.ordered(queryset).values_list("pk", flat=True), PAGE_SIZE).get_page(
        page_number
    )
    records = projection.public_initiatives(
        projection.public_queryset().filter(pk__in=list(page.object_list))
    )
    return {
        "groups": projection.by_policy(records),
        "count": count,
        "policy_counts": counts,
        "policy": number,
        "page": page,
        "query": f"policy={number}" if number is not None else "",
        "municipality_name": city().municipality,
    }


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
