"""The secretariat's inbox and the review page of one proposal."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import staff_required
from core import cache
from core.forms import error_summary
from initiatives import access as initiative_access
from initiatives.models import Initiative
from initiatives.services import TransitionError
from initiatives.similarity import similar_initiatives
from initiatives.workflow import INBOX_STATES, REVIEWABLE
from policies.models import ChecklistItem
from policies.names import city

from .. import queries, services
from ..access import require_reviewer
from ..forms import (
    ChecklistReviewForm,
    ClassificationForm,
    ReturnForm,
    StartReviewForm,
)

S = Initiative.Status
INBOX_PAGE_SIZE = 50


@require_safe
@staff_required
def inbox(request):
    """What waits for the secretariat, oldest first."""
    require_reviewer(request)
    waiting = Initiative.objects.filter(status__in=INBOX_STATES)
    page = Paginator(waiting.for_list().order_by("submitted_at", "pk"), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/inbox.html",
        {"items": page.object_list, "page": page, **cache.shared("inbox", _inbox_counts)},
    )


def _inbox_counts():
    """The inbox's tallies, the same for every reviewer (core.cache). 3 queries."""
    waiting = Initiative.objects.filter(status__in=INBOX_STATES)
    return {
        "by_channel": list(
            waiting.values("channel__name").annotate(n=Count("pk")).order_by("channel__order")
        ),
        "by_department": list(
            waiting.values("department__parent__name", "department__name")
            .annotate(n=Count("pk"))
            .order_by("department__order", "department__code")
        ),
        "returned": Initiative.objects.filter(status=S.RETURNED).count(),
    }


def _checklist_items(initiative):
    checklist = queries.checklist_for(initiative)
    return checklist, list(ChecklistItem.objects.filter(checklist=checklist).order_by("number"))


def _review_context(request, initiative, **forms):
    checklist, items = _checklist_items(initiative)
    review = queries.current_review(initiative)
    review_answers = {a.item_id: a for a in review.answers.all()} if review else {}
    similar = similar_initiatives(initiative, Initiative.objects.all())
    reviewable = initiative.status in REVIEWABLE
    context = {
        "initiative": initiative,
        "checklist": checklist,
        "review": review,
        "similar": similar,
        # Each similar proposal that can still be merged gets its own link (this one and that
        # one, ticked): nothing else is chosen for the reviewer.
        "mergeable": {s.initiative.pk for s in similar if s.initiative.status in REVIEWABLE},
        "start_form": StartReviewForm(initial={"expected_status": initiative.status}),
        "return_form": ReturnForm(initial={"expected_status": initiative.status}),
        "classify_form": ClassificationForm(initial={"expected_status": initiative.status}),
        "review_form": ChecklistReviewForm(items=items, answers=review_answers, prefix="review"),
        "self_check": {a.item.number: a for a in initiative.self_check.select_related("item")},
        "reviewable": reviewable,
        "can_start": initiative.status == S.SUBMITTED,
        "can_answer": initiative.status == S.UNDER_REVIEW,
    }
    context.update(forms)
    context["errors"] = error_summary(*(f for f in forms.values() if f.is_bound))
    return context


@require_safe
@staff_required
def review(request, pk):
    require_reviewer(request)
    initiative = initiative_access.initiative_for_user(request, pk)
    return render(request, "reviews/review.html", _review_context(request, initiative))


@require_POST
@staff_required
def start_review(request, pk):
    require_reviewer(request)
    initiative = initiative_access.initiative_for_user(request, pk)
    form = StartReviewForm(request.POST)
    if form.is_valid():
        try:
            services.start_review(
                initiative,
                actor=request.user,
                expected_status=form.cleaned_data["expected_status"],
            )
            messages.success(request, "審査を開始しました。")
        except TransitionError as exc:
            messages.error(request, str(exc))
    return redirect("reviews:review", pk=pk)


@require_POST
@staff_required
def return_initiative(request, pk):
    require_reviewer(request)
    initiative = initiative_access.initiative_for_user(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_for_revision(
                initiative,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"差し戻しました。提案者と{city().promoter}に通知しました。")
            return redirect(initiative)
    return render(
        request,
        "reviews/review.html",
        _review_context(request, initiative, return_form=form),
        status=400 if not form.is_valid() else 200,
    )


@require_POST
@staff_required
def save_review(request, pk):
    require_reviewer(request)
    initiative = initiative_access.initiative_for_user(request, pk)
    _, items = _checklist_items(initiative)
    form = ChecklistReviewForm(request.POST, items=items, prefix="review")
    if form.is_valid():
        try:
            result = services.save_checklist_review(
                initiative, actor=request.user, answers=form.answers()
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            if result.is_complete:
                messages.success(request, "チェックリストの審査を保存しました（全項目回答済み）。")
            else:
                messages.warning(request, "審査を保存しました。未回答の項目があります。")
            return redirect("reviews:review", pk=pk)
    return render(
        request,
        "reviews/review.html",
        _review_context(request, initiative, review_form=form),
        status=400,
    )


@require_POST
@staff_required
def classify(request, pk):
    require_reviewer(request)
    initiative = initiative_access.initiative_for_user(request, pk)
    form = ClassificationForm(request.POST)
    if form.is_valid():
        try:
            services.classify(
                initiative,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect("reviews:review", pk=pk)
        messages.success(request, "分類しました。")
        return redirect(initiative)
    return render(
        request,
        "reviews/review.html",
        _review_context(request, initiative, classify_form=form),
        status=400,
    )
