"""Consolidation as a deliberate act: choose, see what merges, confirm; undo until the review."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.permissions import staff_required
from core.forms import error_summary
from initiatives import access as initiative_access
from initiatives.consolidation import pending_consolidation
from initiatives.models import Initiative
from initiatives.services import TransitionError
from initiatives.workflow import REVIEWABLE
from policies.models import Department

from .. import services
from ..access import require_reviewer
from ..forms import ConsolidationForm, UndoConsolidationForm


def _candidates():
    return (
        Initiative.objects.filter(status__in=REVIEWABLE)
        .select_related("department", "department__parent")
        .order_by("submitted_at", "pk")
    )


def _initial(request, candidates):
    """The form as opened from a similar proposal's link: the two it names are ticked, nothing
    else; opened from the inbox, nothing is."""
    ids = [int(i) for i in request.GET.getlist("ids") if i.isascii() and i.isdigit()]
    chosen = list(candidates.filter(pk__in=ids))
    first = chosen[0] if chosen else None
    return ConsolidationForm(
        candidates=candidates,
        initial={
            "originals": chosen,
            "source": first,
            "title": first.title if first else "",
            "content": first.content if first else "",
        },
    )


def _preview(data):
    """What the confirmation shows: each original with how much it carries, and the departments
    the merged item will name."""
    originals = list(
        Initiative.objects.filter(pk__in=[o.pk for o in data["originals"]])
        .select_related("department", "department__parent", "proposer")
        .annotate(
            n_milestones=Count("milestones", distinct=True),
            n_cases=Count("case_studies", distinct=True),
            n_self_check=Count("self_check", distinct=True),
            n_attachments=Count("attachments", distinct=True),
        )
        .order_by("pk")
    )
    lead = data["primary"] or data["source"]
    co = services.proposing_departments(originals) - {lead.department_id}
    return {
        "originals": originals,
        "lead": lead,
        "co_departments": Department.objects.filter(pk__in=co)
        .select_related("parent")
        .order_by("order", "code"),
        # A merge into an item already under review cannot be undone.
        "undoable": lead.status == Initiative.Status.SUBMITTED,
    }


@require_http_methods(["GET", "POST"])
@staff_required
def consolidate(request):
    require_reviewer(request)
    candidates = _candidates()
    if request.method != "POST":
        form = _initial(request, candidates)
        return _form_page(request, form)
    form = ConsolidationForm(request.POST, candidates=candidates)
    if not form.is_valid() or "back" in request.POST:
        return _form_page(request, form)
    data = form.cleaned_data
    if "confirm" not in request.POST:
        return render(request, "reviews/consolidate_confirm.html", {"form": form, **_preview(data)})
    try:
        result = services.consolidate(
            list(data["originals"]),
            actor=request.user,
            primary=data["primary"],
            source=data["source"],
            title=data["title"],
            content=data["content"],
        )
    except TransitionError as exc:
        form.add_error(None, str(exc))
        return _form_page(request, form)
    messages.success(
        request,
        "統合しました。元の提案者に通知しました。審査を開始するまでは、このページから取り消せます。",
    )
    return redirect(result)


def _form_page(request, form):
    return render(
        request,
        "reviews/consolidate.html",
        {"form": form, "errors": error_summary(form) if form.is_bound else []},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def undo_consolidation(request, pk):
    require_reviewer(request)
    initiative = initiative_access.initiative_for_user(request, pk)
    form = UndoConsolidationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            originals = services.undo_consolidation(
                initiative, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"統合を取り消しました。元の提案{len(originals)}件は提出済に戻りました。",
            )
            return redirect("reviews:inbox")
    pending = pending_consolidation(initiative)
    return render(
        request,
        "reviews/unconsolidate.html",
        {
            "initiative": initiative,
            "originals": initiative.consolidated_from.filter(
                status=Initiative.Status.CONSOLIDATED,
                pk__in=pending.after["consolidated_from"] if pending else [],
            ).select_related("department", "department__parent", "proposer"),
            "can_undo": pending is not None,
            "form": form,
            "errors": error_summary(form) if form.is_bound else [],
        },
        status=400 if form.is_bound and form.errors else 200,
    )
