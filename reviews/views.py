from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import roles
from initiatives import access
from initiatives.models import Initiative
from initiatives.services import TransitionError, transition
from initiatives.uploads import download_response
from policies.models import Body, ChecklistItem
from policies.ui import error_summary

from . import services
from .forms import (
    AgendaForm,
    ChecklistReviewForm,
    ClassificationForm,
    ConsolidationForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    OpinionForm,
    ReturnForm,
    StartReviewForm,
)
from .models import AgendaItem, Meeting, MeetingAttachment
from .similarity import similar_initiatives

S = Initiative.Status
INBOX_STATES = (S.SUBMITTED, S.UNDER_REVIEW)
INBOX_PAGE_SIZE = 50


def reviewer_required(request):
    services.require_role(request.user, roles.INFO_POLICY)


@require_safe
@login_required
def inbox(request):
    """What waits for 情報政策課, oldest first."""
    reviewer_required(request)
    waiting = Initiative.objects.filter(status__in=INBOX_STATES)
    page = Paginator(waiting.for_list().order_by("submitted_at", "pk"), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/inbox.html",
        {
            "items": page.object_list,
            "page": page,
            "by_channel": waiting.values("channel__name")
            .annotate(n=Count("pk"))
            .order_by("channel__order"),
            "by_department": waiting.values("department__parent__name", "department__name")
            .annotate(n=Count("pk"))
            .order_by("department__order", "department__code"),
            "returned": Initiative.objects.filter(status=S.RETURNED).count(),
        },
    )


def _review_context(request, initiative, **forms):
    checklist = services.checklist_in_force()
    items = list(ChecklistItem.objects.filter(checklist=checklist).order_by("number"))
    review = services.current_review(initiative)
    review_answers = {a.item_id: a for a in review.answers.all()} if review else {}
    self_check = {a.item.number: a for a in initiative.self_check.select_related("item")}
    context = {
        "initiative": initiative,
        "checklist": checklist,
        "review": review,
        "similar": similar_initiatives(initiative, Initiative.objects.all()),
        "start_form": StartReviewForm(initial={"expected_status": initiative.status}),
        "return_form": ReturnForm(initial={"expected_status": initiative.status}),
        "classify_form": ClassificationForm(initial={"expected_status": initiative.status}),
        "review_form": ChecklistReviewForm(items=items, answers=review_answers, prefix="review"),
        "self_check": self_check,
        "reviewable": initiative.status in services.REVIEWABLE,
    }
    context.update(forms)
    context["errors"] = error_summary(*(f for f in forms.values() if f.is_bound))
    return context


@require_safe
@login_required
def review(request, pk):
    reviewer_required(request)
    initiative = access.initiative_for_user(request, pk)
    return render(request, "reviews/review.html", _review_context(request, initiative))


@require_POST
@login_required
def start_review(request, pk):
    reviewer_required(request)
    initiative = access.initiative_for_user(request, pk)
    form = StartReviewForm(request.POST)
    if form.is_valid():
        try:
            transition(
                initiative,
                to=S.UNDER_REVIEW,
                actor=request.user,
                expected_status=form.cleaned_data["expected_status"],
            )
            messages.success(request, "審査を開始しました。")
        except TransitionError as exc:
            messages.error(request, str(exc))
    return redirect("reviews:review", pk=pk)


@require_POST
@login_required
def return_initiative(request, pk):
    reviewer_required(request)
    initiative = access.initiative_for_user(request, pk)
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
            messages.success(request, "差し戻しました。提案者とDX推進員に通知しました。")
            return redirect(initiative)
    return render(
        request,
        "reviews/review.html",
        _review_context(request, initiative, return_form=form),
        status=400 if not form.is_valid() else 200,
    )


@require_POST
@login_required
def save_review(request, pk):
    reviewer_required(request)
    initiative = access.initiative_for_user(request, pk)
    checklist = services.checklist_in_force()
    items = ChecklistItem.objects.filter(checklist=checklist).order_by("number")
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
@login_required
def classify(request, pk):
    reviewer_required(request)
    initiative = access.initiative_for_user(request, pk)
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


def _consolidation_candidates():
    return (
        Initiative.objects.filter(status__in=services.REVIEWABLE)
        .select_related("department", "department__parent")
        .order_by("submitted_at", "pk")
    )


@require_http_methods(["GET", "POST"])
@login_required
def consolidate(request):
    reviewer_required(request)
    candidates = _consolidation_candidates()
    if request.method == "POST":
        form = ConsolidationForm(request.POST, candidates=candidates)
        if form.is_valid():
            data = form.cleaned_data
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
            else:
                messages.success(request, "統合しました。元の提案者に通知しました。")
                return redirect(result)
    else:
        ids = [i for i in request.GET.getlist("ids") if i.isdigit()]
        if ids:
            # Offer only what was picked on the review page, so that the choices stay short.
            candidates = candidates.filter(pk__in=ids)
        chosen = list(candidates)
        first = chosen[0] if chosen else None
        form = ConsolidationForm(
            candidates=candidates,
            initial={
                "originals": chosen,
                "source": first,
                "title": first.title if first else "",
                "content": first.content if first else "",
            },
        )
    return render(
        request,
        "reviews/consolidate.html",
        {"form": form, "errors": error_summary(form) if form.is_bound else []},
    )


# --- Meetings ---------------------------------------------------------------------------------


@require_safe
@login_required
def meeting_list(request):
    today = timezone.localdate()
    meetings = Meeting.objects.select_related("body").annotate(items=Count("agenda"))
    return render(
        request,
        "reviews/meeting_list.html",
        {
            "upcoming": meetings.upcoming(today),
            "past": meetings.past(today),
            "can_plan": request.user.has_role(roles.INFO_POLICY),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def meeting_create(request):
    reviewer_required(request)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(
                actor=request.user,
                body=form.cleaned_data["body"],
                held_on=form.cleaned_data["held_on"],
                place=form.cleaned_data["place"],
                number=form.cleaned_data["number"],
            )
        except TransitionError as exc:
            form.add_error("number", str(exc))
        else:
            messages.success(request, f"{meeting}を登録しました。議題を追加してください。")
            return redirect(meeting)
    return render(
        request,
        "reviews/meeting_form.html",
        {"form": form, "errors": error_summary(form) if form.is_bound else []},
    )


def _meeting(pk):
    return get_object_or_404(Meeting.objects.select_related("body"), pk=pk)


def _meeting_context(request, meeting, **forms):
    user = request.user
    kind = meeting.body.kind
    agenda = meeting.agenda.select_related(
        "initiative",
        "initiative__department",
        "initiative__department__parent",
        "opinion",
        "decision",
        "opinion__recorded_by",
        "decision__recorded_by",
    ).prefetch_related(
        # What the HQ weighs: the classification's reason and the council's opinions.
        "initiative__classifications",
        Prefetch(
            "initiative__agenda_items",
            queryset=AgendaItem.objects.filter(opinion__isnull=False).select_related(
                "opinion", "meeting", "meeting__body"
            ),
            to_attr="opinion_items",
        ),
    )
    candidates = (
        Initiative.objects.filter(status__in=services.AGENDA_STATES.get(kind, services.REVIEWABLE))
        .exclude(agenda_items__meeting=meeting)
        .select_related("department", "department__parent")
    )
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "attachments": meeting.attachments.all(),
        "is_secretariat": user.has_role(roles.INFO_POLICY),
        "can_record_opinion": kind == Body.Kind.COUNCIL
        and user.has_role(roles.INFO_POLICY, roles.COUNCIL),
        "can_record_decision": kind == Body.Kind.HEADQUARTERS
        and user.has_role(roles.INFO_POLICY, roles.HEADQUARTERS),
        "agenda_form": AgendaForm(candidates=candidates),
        "minutes_form": MinutesForm(instance=meeting),
    }
    failed_item, failed_form = forms.pop("failed_item", None), forms.get("item_form")
    rows = []
    for item in agenda:
        prefix = f"item{item.pk}"
        bound = failed_form if item.pk == failed_item else None
        rows.append(
            {
                "item": item,
                "opinion_form": bound
                if isinstance(bound, OpinionForm)
                else OpinionForm(prefix=prefix),
                "decision_form": bound
                if isinstance(bound, DecisionForm)
                else DecisionForm(prefix=prefix),
            }
        )
    context["rows"] = rows
    context.update(forms)
    context["errors"] = error_summary(
        *(f for k, f in forms.items() if hasattr(f, "is_bound") and f.is_bound)
    )
    return context


@require_safe
@login_required
def meeting_detail(request, pk):
    meeting = _meeting(pk)
    return render(request, "reviews/meeting_detail.html", _meeting_context(request, meeting))


@require_POST
@login_required
def meeting_update(request, pk):
    reviewer_required(request)
    meeting = _meeting(pk)
    form = MinutesForm(request.POST, request.FILES, instance=meeting)
    if form.is_valid():
        services.save_minutes(form, actor=request.user)
        messages.success(request, "会議の記録を保存しました。")
        return redirect(meeting)
    return render(
        request,
        "reviews/meeting_detail.html",
        _meeting_context(request, meeting, minutes_form=form),
        status=400,
    )


@require_POST
@login_required
def agenda_add(request, pk):
    reviewer_required(request)
    meeting = _meeting(pk)
    candidates = Initiative.objects.all()  # the service checks the state for the body
    form = AgendaForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            services.add_agenda_item(
                meeting, actor=request.user, initiative=form.cleaned_data["initiative"]
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "議題を追加しました。")
        return redirect(meeting)
    return render(
        request,
        "reviews/meeting_detail.html",
        _meeting_context(request, meeting, agenda_form=form),
        status=400,
    )


@require_POST
@login_required
def record_opinion(request, pk, item_pk):
    services.require_role(request.user, roles.INFO_POLICY, roles.COUNCIL)
    form = OpinionForm(request.POST, prefix=f"item{item_pk}")
    return _record_for_agenda_item(
        request,
        pk,
        item_pk,
        form,
        "意見・提言を記録しました。",
        lambda meeting, data: services.record_opinion(
            meeting, item_pk, actor=request.user, text=data["text"]
        ),
    )


@require_POST
@login_required
def record_decision(request, pk, item_pk):
    services.require_role(request.user, roles.INFO_POLICY, roles.HEADQUARTERS)
    form = DecisionForm(request.POST, prefix=f"item{item_pk}")
    return _record_for_agenda_item(
        request,
        pk,
        item_pk,
        form,
        "決定を記録しました。提案者とDX推進員に通知しました。",
        lambda meeting, data: services.record_decision(
            meeting,
            item_pk,
            actor=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            conditions=data["conditions"],
        ),
    )


def _record_for_agenda_item(request, pk, item_pk, form, done, record):
    """Validate an agenda item's form, record it through the service, back to the meeting; an
    invalid form is shown again beside its own agenda item."""
    meeting = _meeting(pk)
    if not form.is_valid():
        return render(
            request,
            "reviews/meeting_detail.html",
            _meeting_context(request, meeting, item_form=form, failed_item=item_pk),
            status=400,
        )
    try:
        record(meeting, form.cleaned_data)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(meeting)


@require_safe
@login_required
def meeting_attachment(request, pk, attachment_pk):
    attachment = get_object_or_404(MeetingAttachment, pk=attachment_pk, meeting_id=pk)
    return download_response(attachment)
