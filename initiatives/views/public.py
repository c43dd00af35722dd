"""Citizens' pages (no login) and open data; and 情報政策課's page to publish an initiative.

The public views read only `publication.PublicInitiative` projections, never an Initiative.
"""

import csv
import io
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from policies.ui import error_summary

from .. import publication
from ..exports import neutralise
from ..models import Initiative
from ..models.proposals import PUBLISHABLE

OPEN_DATA_NAME = "dx-initiatives"


# --- 情報政策課: publish or withdraw from the public pages --------------------------------


class PublicationForm(forms.Form):
    is_public = forms.BooleanField(
        label="市民に公開する",
        required=False,
        help_text="チェックすると、市民向けの公開ページとオープンデータに掲載します。",
    )
    public_summary = forms.CharField(
        label="公開用の概要（平易な言葉で）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="市民が読んで分かる言葉で、何をして暮らしがどう変わるかを書きます。"
        "職員名や内部の検討内容（審査の所見、会議での意見など）は書きません。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, initiative, **kwargs):
        self.initiative = initiative
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("is_public"):
            if self.initiative.status not in PUBLISHABLE:
                self.add_error(
                    "is_public",
                    f"「{self.initiative.get_status_display()}」の取組項目は公開できません"
                    f"（公開できるのは{publication.publishable_labels()}のものだけです）。",
                )
            if not (data.get("public_summary") or "").strip():
                self.add_error(
                    "public_summary", "市民に公開するには、公開用の概要を入力してください。"
                )
        return data


@require_http_methods(["GET", "POST"])
@login_required
def manage(request, pk):
    if not publication.can_manage(request.user):
        raise PermissionDenied("公開の設定は情報政策課だけが行えます。")
    initiative = get_object_or_404(Initiative.objects.select_related("department"), pk=pk)
    initial = {
        "is_public": initiative.is_public,
        "public_summary": initiative.public_summary,
        "version": initiative.version,
    }
    form = PublicationForm(request.POST or None, initial=initial, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        try:
            publication.set_publication(
                initiative,
                actor=request.user,
                is_public=form.cleaned_data["is_public"],
                summary=form.cleaned_data["public_summary"],
                expected_version=form.cleaned_data["version"],
            )
        except publication.PublicationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "市民向けの公開ページに掲載しました。"
                if initiative.is_public
                else "公開の設定を保存しました（市民向けページには掲載していません）。",
            )
            return redirect(initiative)
    return render(
        request,
        "public/manage.html",
        {
            "initiative": initiative,
            "form": form,
            "publishable": initiative.status in PUBLISHABLE,
            "publishable_labels": publication.publishable_labels(),
            "errors": error_summary(form) if request.method == "POST" else [],
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Citizens' pages --------------------------------------------------------------------------


PAGE_SIZE = 30


@require_safe
def index(request):
    """Public initiatives by 基本方針, a page at a time; `?policy=N` shows one 基本方針."""
    queryset = publication.public_queryset()
    policy = request.GET.get("policy", "")
    counts = [
        {"number": row["policy__number"], "name": row["policy__name"], "count": row["n"]}
        for row in queryset.values("policy__number", "policy__name")
        .annotate(n=Count("pk"))
        .order_by(F("policy__number").asc(nulls_last=True))
    ]
    if policy.isdigit():
        queryset = queryset.filter(policy__number=int(policy))
    page = Paginator(
        publication.ordered(queryset).values_list("pk", flat=True), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    records = publication.public_initiatives(
        publication.public_queryset().filter(pk__in=list(page.object_list))
    )
    return render(
        request,
        "public/index.html",
        {
            "groups": publication.by_policy(records),
            "count": sum(c["count"] for c in counts),
            "policy_counts": counts,
            "policy": int(policy) if policy.isdigit() else None,
            "page": page,
            "query": f"policy={policy}" if policy.isdigit() else "",
        },
    )


@require_safe
def detail(request, pk):
    record = publication.public_initiative(pk)
    if record is None:
        raise Http404("公開されている取組が見つかりません。")
    return render(request, "public/detail.html", {"item": record})


@require_safe
def opendata(request):
    return render(request, "public/opendata.html", {"fields": publication.FIELDS})


def _rows(request):
    return publication.open_data_rows(publication.public_initiatives(), request.build_absolute_uri)


def _open(response):
    # Open data: any site may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def opendata_csv(request):
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel opens UTF-8 as such
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(publication.CSV_HEADERS)
    for row in _rows(request):
        writer.writerow(["" if v is None else neutralise(v) for v in row.values()])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
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
