"""Proposals: the lists, the exports, and the form to draft and edit one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import staff_required
from core import cache
from core.forms import STALE_FORM, error_summary, posted_version
from policies.models import Channel, ChecklistItem, PolicyEdition
from policies.names import city

from .. import access, exports, history, services
from ..filters import InitiativeFilter
from ..forms import CaseStudyFormSet, InitiativeForm, MilestoneFormSet, SelfCheckForm
from ..models import Initiative
from ..submission import required_parts

PAGE_SIZE = 25

SCOPES = {
    "all": "取組一覧",
    "mine": "自分の提案",
    "department": "所属の提案",
}


def _scoped(request, scope):
    queryset = Initiative.objects.visible_to(request.user)
    if scope == "mine":
        queryset = queryset.filter(proposer=request.user)
    elif scope == "department":
        # Its own proposals and those it co-proposes (an idea consolidated from several).
        department = request.user.department_id
        queryset = queryset.filter(
            Q(department_id=department) | Q(co_departments=department)
        ).distinct()
    return queryset


@require_safe
@staff_required
def initiative_list(request, scope="all"):
    filterset = InitiativeFilter(request.GET, queryset=_scoped(request, scope).for_list())
    query = request.GET.copy()
    query.pop("page", None)
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    # The COUNT over every matching initiative, once per change of the data: shared by the
    # secretariat on the whole list (they see everything), else per person (drafts, 自分の提案).
    who = "secretariat" if scope == "all" and request.user.is_secretariat else request.user.pk
    paginator.count = cache.shared(
        f"initiative-count:{scope}:{who}:{query.urlencode()}",
        lambda: Paginator(filterset.qs, 1).count,
    )
    page = paginator.get_page(request.GET.get("page"))
    # Every 所属 and 取組例 as options: rendered once per change of the data and set of filters,
    # for everyone (the options are the same for all).
    filters = cache.shared(
        f"initiative-filters:{request.path}?{query.urlencode()}",
        lambda: render_to_string(
            "initiatives/initiative_filters.html", {"filter": filterset, "request": request}
        ),
    )
    return render(
        request,
        "initiatives/initiative_list.html",
        {
            "filter": filterset,
            "filters": filters,
            "page": page,
            "scope": scope,
            "title": SCOPES[scope],
            "scopes": SCOPES,
            "query": query.urlencode(),
            "export_xlsx": reverse(f"initiatives:export_{scope}_xlsx"),
            "export_csv": reverse(f"initiatives:export_{scope}_csv"),
            "can_propose": bool(
                access.channels_for(request.user, Channel.objects.select_related("committee"))
            ),
        },
    )


@require_safe
@staff_required
def initiative_export(request, scope, fmt):
    filterset = InitiativeFilter(request.GET, queryset=_scoped(request, scope))
    rows = exports.export_queryset(filterset.qs)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="initiatives-{stamp}.csv"'
        return response
    return FileResponse(
        exports.xlsx_file(rows),
        as_attachment=True,
        filename=f"initiatives-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _forms(request, initiative, *, edition, data=None, files=None):
    """The proposal form and its parts, bound to POST data when given."""
    checklist = edition.current_checklist()
    items = (
        ChecklistItem.objects.filter(checklist=checklist).order_by("number") if checklist else []
    )
    answers = {a.item_id: a for a in initiative.self_check.all()} if initiative.pk else {}
    channels = Channel.objects.select_related("committee")
    return {
        "form": InitiativeForm(
            data, files, instance=initiative, user=request.user, edition=edition, channels=channels
        ),
        "milestones": MilestoneFormSet(data, instance=initiative, prefix="milestones"),
        "cases": CaseStudyFormSet(data, instance=initiative, prefix="cases"),
        "self_check": SelfCheckForm(
            data, items=items, answers=answers, checklist=checklist, prefix="check"
        ),
    }


def _page(initiative=None):
    """What the form page shows besides the forms: the parts required at submission, and why
    the item was sent back."""
    returned = history.why_returned(initiative) if initiative is not None else None
    return {"required": dict.fromkeys(required_parts(), True), "returned_because": returned}


def _all_valid(parts):
    return all([part.is_valid() for part in parts.values()])  # list: validate every part


def _errors(request, parts):
    return error_summary(*parts.values()) if request.method == "POST" else []


def _save(request, initiative, parts, *, expected_version=None):
    return services.save_proposal(
        form=parts["form"],
        milestones=parts["milestones"],
        cases=parts["cases"],
        self_check=parts["self_check"],
        files=parts["form"].cleaned_data.get("new_files", []),
        actor=request.user,
        expected_version=expected_version,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def initiative_create(request):
    edition = PolicyEdition.objects.in_force()
    if edition is None:
        raise Http404(f"適用中の{city().document}がありません。")
    if not access.channels_for(request.user, Channel.objects.select_related("committee")):
        raise PermissionDenied("提案できる抽出経路がありません。")
    initiative = Initiative(
        edition=edition, proposer=request.user, department_id=request.user.department_id
    )
    parts = _forms(
        request,
        initiative,
        edition=edition,
        data=request.POST or None,
        files=request.FILES or None,
    )
    if request.method == "POST" and _all_valid(parts):
        initiative = _save(request, initiative, parts)
        messages.success(request, "下書きを保存しました。")
        return redirect(initiative)
    return render(
        request,
        "initiatives/initiative_form.html",
        {
            **parts,
            **_page(),
            "edition": edition,
            "initiative": None,
            "errors": _errors(request, parts),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def initiative_edit(request, pk):
    initiative = access.initiative_for_user(request, pk, write=True)
    parts = _forms(
        request,
        initiative,
        edition=initiative.edition,
        data=request.POST or None,
        files=request.FILES or None,
    )
    conflict = None
    if request.method == "POST":
        expected = posted_version(request)
        if expected is None:
            # Without the version the form was opened at, a save could overwrite a newer one.
            parts["form"].add_error(None, STALE_FORM)
        if _all_valid(parts):
            try:
                _save(request, initiative, parts, expected_version=expected)
            except services.EditConflict as exc:
                conflict = exc
            else:
                messages.success(request, "保存しました。")
                return redirect(initiative)
    return render(
        request,
        "initiatives/initiative_form.html",
        {
            **parts,
            **_page(initiative),
            "edition": initiative.edition,
            "initiative": initiative,
            "conflict": conflict,
            "errors": _errors(request, parts),
            "version": request.POST.get("version")
            if conflict is None and request.method == "POST"
            else initiative.version,
        },
    )
