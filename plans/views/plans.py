"""実施計画: placing decided initiatives, revising plans, the plan by edition and its export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import require_secretariat, staff_required
from core import cache
from core.forms import error_summary
from initiatives import access as initiative_access
from initiatives.workflow import PLACEABLE
from policies.models import Department, Policy
from policies.names import city

from .. import access, exports, queries, services
from ..forms import ContinuingForm, KpiFormSet, PlacementForm, PlanYearFormSet, RevisionForm
from ..models import ImplementationPlan, PlanEntry, PlanRevision, PlanYear

PAGE_SIZE = 25


@require_safe
@staff_required
def plan_index(request):
    return render(
        request,
        "plans/plan_index.html",
        {"plans": ImplementationPlan.objects.select_related("measure", "comprehensive_plan")},
    )


def _plan_entries(plan, request):
    """Entries of a plan edition filtered in the database by fiscal year (of the current
    plan), 方針 and department."""
    entries = PlanEntry.objects.filter(plan=plan).order_by("initiative__policy__number", "pk")
    department = request.GET.get("department", "")
    policy = request.GET.get("policy", "")
    year = request.GET.get("fiscal_year", "")
    if department.isdigit():
        entries = entries.filter(owner_id=int(department))
    if policy.isdigit():
        entries = entries.filter(initiative__policy__number=int(policy))
    if year.isdigit():
        current = PlanRevision.objects.filter(entry=OuterRef("pk")).order_by("-number")
        entries = entries.annotate(current_revision=Subquery(current.values("pk")[:1])).filter(
            Exists(
                PlanYear.objects.filter(
                    revision=OuterRef("current_revision"), fiscal_year=int(year)
                )
            )
        )
    return entries


def _filter_options(plan):
    """The 担当課 and 基本方針 the plan's entries have, for the filter form: the same for
    everyone, from the shared cache (core.cache). 2 queries, each a semi-join over the entries."""
    entries = PlanEntry.objects.filter(plan=plan)
    return {
        "departments": list(
            Department.objects.filter(Exists(entries.filter(owner=OuterRef("pk"))))
            .select_related("parent")
            .order_by("order", "code")
        ),
        "policies": list(
            Policy.objects.filter(
                Exists(entries.filter(initiative__policy=OuterRef("pk")))
            ).order_by("number")
        ),
    }


@require_safe
@staff_required
def plan_detail(request, pk):
    plan = access.plan_for_user(request, pk)
    paginator = Paginator(_plan_entries(plan, request), PAGE_SIZE)
    # Counting the filtered entries is the page's slowest query (the years' join): counted once
    # per change of the data and set of filters, for everyone.
    filters = request.GET.copy()
    filters.pop("page", None)
    paginator.count = cache.shared(
        f"plan:{plan.pk}:count:{filters.urlencode()}",
        lambda: Paginator(paginator.object_list, 1).count,
    )
    page = paginator.get_page(request.GET.get("page"))
    rows = queries.plan_views(
        PlanEntry.objects.filter(pk__in=[e.pk for e in page.object_list]).order_by(
            "initiative__policy__number", "pk"
        )
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "page": page,
            "fiscal_years": plan.fiscal_years,
            **cache.shared(f"plan:{plan.pk}:filter-options", lambda: _filter_options(plan)),
            "query": query.urlencode(),
            "is_secretariat": request.user.is_secretariat,
        },
    )


@require_safe
@staff_required
def plan_export(request, pk, fmt):
    plan = access.plan_for_user(request, pk)
    rows = queries.plan_views(_plan_entries(plan, request))
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.plan_csv(plan, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.csv"'
        return response
    return FileResponse(
        exports.plan_xlsx(plan, rows),
        as_attachment=True,
        filename=f"plan-{plan.pk}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _plan_formsets(data=None, *, years=None, kpis=None):
    return (
        PlanYearFormSet(data, prefix="years", initial=years),
        KpiFormSet(data, prefix="kpis", initial=kpis),
    )


@require_http_methods(["GET", "POST"])
@staff_required
def place(request, pk):
    require_secretariat(request.user)
    initiative = initiative_access.initiative_for_user(request, pk)
    if initiative.status not in PLACEABLE:
        raise PermissionDenied("決定または所管課推進の取組項目だけを実施計画に位置付けられます。")
    proposing = [
        initiative.department,
        *initiative.co_departments.select_related("parent").order_by("order", "code"),
    ]
    form = PlacementForm(
        request.POST or None, initial={"owner": initiative.department_id}, proposing=proposing
    )
    years, kpis = _plan_formsets(request.POST or None)
    if request.method == "POST" and all([form.is_valid(), years.is_valid(), kpis.is_valid()]):
        try:
            services.place(
                initiative,
                actor=request.user,
                plan=form.cleaned_data["plan"],
                owner=form.cleaned_data["owner"],
                years=years.rows(),
                kpis=kpis.rows(),
            )
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "実施計画に位置付けました。この計画が当初計画（ベースライン）になります。"
            )
            return redirect(initiative)
    return render(
        request,
        "plans/plan_form.html",
        {
            "initiative": initiative,
            "form": form,
            "years": years,
            "kpis": kpis,
            "title": "実施計画に位置付ける",
            "errors": error_summary(form, years, kpis) if form.is_bound else [],
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def register_continuing(request):
    """Register an item of the former plan as a continuing plan entry."""
    require_secretariat(request.user)
    if not city().former_plan:
        raise Http404("継続登録する旧計画がありません。")
    form = ContinuingForm(request.POST or None)
    years, kpis = _plan_formsets(request.POST or None)
    if request.method == "POST" and all([form.is_valid(), years.is_valid(), kpis.is_valid()]):
        data = form.cleaned_data
        try:
            initiative = services.register_continuing(
                actor=request.user,
                plan=data["plan"],
                owner=data["owner"],
                title=data["title"],
                content=data["content"],
                years=years.rows(),
                kpis=kpis.rows(),
            ).initiative
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{city().former_plan}の取組を継続項目として登録しました。")
            return redirect(initiative)
    return render(
        request,
        "plans/plan_form.html",
        {
            "initiative": None,
            "form": form,
            "years": years,
            "kpis": kpis,
            "title": f"{city().former_plan}の取組を継続登録する",
            "errors": error_summary(form, years, kpis) if form.is_bound else [],
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def revise(request, entry_pk):
    entry = access.entry_for_user(request, entry_pk, write=True)
    _, current = queries.baseline_and_current(entry)
    form = RevisionForm(request.POST or None)
    years, kpis = _plan_formsets(
        request.POST or None,
        years=[
            {
                "fiscal_year": y.fiscal_year,
                "planned": y.planned,
                "amount": y.amount,
                "funding": y.funding,
            }
            for y in current.years.all()
        ],
        kpis=[
            {
                f: getattr(k, f)
                for f in (
                    "indicator",
                    "unit",
                    "baseline_value",
                    "baseline_year",
                    "target_value",
                    "target_year",
                    "allows_negative",
                )
            }
            for k in current.kpis.all()
        ],
    )
    if request.method == "POST" and all([form.is_valid(), years.is_valid(), kpis.is_valid()]):
        try:
            services.revise(
                entry,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                years=years.rows(),
                kpis=kpis.rows(),
            )
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "計画を改定しました。当初計画と改定前の内容は残っています。")
            return redirect(entry.initiative)
    return render(
        request,
        "plans/plan_form.html",
        {
            "initiative": entry.initiative,
            "entry": entry,
            "form": form,
            "years": years,
            "kpis": kpis,
            "title": "計画を改定する",
            "errors": error_summary(form, years, kpis) if form.is_bound else [],
        },
    )
