"""Meetings of the council and the HQ: their agenda, opinions, decisions and records."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import require, staff_required
from core.forms import error_summary
from core.uploads import download_response
from initiatives.models import Initiative
from initiatives.services import TransitionError
from initiatives.workflow import agenda_states
from policies.names import city

from .. import calendar, queries, services
from ..access import (
    agenda_item_for_user,
    may_record_for,
    meeting_attachment_for_user,
    meeting_for_user,
    require_reviewer,
)
from ..forms import (
    AgendaForm,
    DecisionCorrectionForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    OpinionCorrectionForm,
    OpinionForm,
)
from ..models import AgendaItem, ChecklistReview, ChecklistReviewAnswer, Correction, Meeting


@require_safe
@login_required
def meeting_list(request):
    today = timezone.localdate()
    user = request.user
    meetings = (
        Meeting.objects.visible_to(user)
        .select_related("body")
        .annotate(
            items=Count("agenda", distinct=True),
            open_records=Count(
                "agenda", filter=Q(agenda__in=queries.awaiting_record(user, today)), distinct=True
            ),
        )
    )
    unscheduled = []
    if user.is_secretariat:
        unscheduled = queries.awaiting_agenda().select_related("department", "department__parent")
    return render(
        request,
        "reviews/meeting_list.html",
        {
            "upcoming": meetings.upcoming(today),
            "past": meetings.past(today),
            "can_plan": user.is_secretariat,
            "records": user.may_record_opinions or user.may_record_decisions,
            "unscheduled": list(unscheduled.order_by("status", "pk")) if unscheduled else [],
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def meeting_create(request):
    require_reviewer(request)
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


def _agenda(meeting):
    """The agenda with what each body weighs: the proposal's summary, the secretariat's
    checklist review and classification, and the council's opinions (a fixed number of
    queries)."""
    reviews = ChecklistReview.objects.order_by("-created_at").prefetch_related(
        Prefetch("answers", queryset=ChecklistReviewAnswer.objects.select_related("item"))
    )
    return meeting.agenda.select_related(
        "initiative",
        "initiative__department",
        "initiative__department__parent",
        "opinion",
        "decision",
        "opinion__recorded_by",
        "decision__recorded_by",
    ).prefetch_related(
        "initiative__classifications",
        Prefetch("corrections", queryset=Correction.objects.select_related("corrected_by")),
        Prefetch("initiative__reviews", queryset=reviews, to_attr="checklist_reviews"),
        Prefetch(
            "initiative__agenda_items",
            queryset=AgendaItem.objects.filter(opinion__isnull=False).select_related(
                "opinion", "meeting", "meeting__body"
            ),
            to_attr="opinion_items",
        ),
    )


def _rows(agenda, failed_item, failed_form):
    """Per agenda item its forms; the one that failed validation is shown again bound."""
    rows = []
    for item in agenda:
        prefix = f"item{item.pk}"
        bound = failed_form if item.pk == failed_item else None
        reviews = item.initiative.checklist_reviews
        rows.append(
            {
                "item": item,
                # The latest review, complete or not, is what the secretariat prepared.
                "review": reviews[0] if reviews else None,
                "opinion_form": bound if type(bound) is OpinionForm else OpinionForm(prefix=prefix),
                "decision_form": bound
                if type(bound) is DecisionForm
                else DecisionForm(prefix=prefix),
                **_correction_forms(item, bound),
            }
        )
    return rows


def _correction_forms(item, bound):
    """The forms to correct what an agenda item's record says, filled with what it says now."""
    prefix = f"fix{item.pk}"
    opinion = getattr(item, "opinion", None) if hasattr(item, "opinion") else None
    decision = getattr(item, "decision", None) if hasattr(item, "decision") else None
    return {
        "opinion_fix": bound
        if isinstance(bound, OpinionCorrectionForm)
        else OpinionCorrectionForm(
            prefix=prefix, initial={"text": opinion.text if opinion else ""}
        ),
        "decision_fix": bound
        if isinstance(bound, DecisionCorrectionForm)
        else DecisionCorrectionForm(
            prefix=prefix,
            initial={
                "outcome": decision.outcome if decision else "",
                "reason": decision.reason if decision else "",
                "conditions": decision.conditions if decision else "",
            },
        ),
    }


def _meeting_context(request, meeting, **forms):
    user = request.user
    body = meeting.body
    candidates = (
        Initiative.objects.filter(status__in=agenda_states(body.kind))
        .exclude(agenda_items__meeting=meeting)
        .select_related("department", "department__parent")
    )
    failed_item, failed_form = forms.pop("failed_item", None), forms.get("item_form")
    agenda = _agenda(meeting)
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "rows": _rows(agenda, failed_item, failed_form),
        "attachments": meeting.attachments.all(),
        "is_secretariat": user.is_secretariat,
        "gives_opinions": body.gives_opinions,
        "decides": body.decides,
        "can_record_opinion": body.gives_opinions and may_record_for(user, body),
        "can_record_decision": body.decides and may_record_for(user, body),
        # External members read the material, not the internal pages or staff names.
        "show_internal": not user.is_external,
        "agenda_form": AgendaForm(candidates=candidates),
        "minutes_form": MinutesForm(instance=meeting),
    }
    context.update(forms)
    context["errors"] = error_summary(
        *(f for f in forms.values() if hasattr(f, "is_bound") and f.is_bound)
    )
    return context


@require_safe
@login_required
def meeting_detail(request, pk):
    meeting = meeting_for_user(request, pk)
    return render(request, "reviews/meeting_detail.html", _meeting_context(request, meeting))


@require_POST
@login_required
def meeting_update(request, pk):
    meeting = meeting_for_user(request, pk, write=True)
    form = MinutesForm(request.POST, request.FILES, instance=meeting)
    if form.is_valid():
        try:
            services.save_minutes(form, actor=request.user)
        except TransitionError as exc:
            form.add_error("held_on", str(exc))
        else:
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
    meeting = meeting_for_user(request, pk, write=True)
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
    body = agenda_item_for_user(request, pk, item_pk).meeting.body
    require(body.gives_opinions and may_record_for(request.user, body))
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
    body = agenda_item_for_user(request, pk, item_pk).meeting.body
    require(body.decides and may_record_for(request.user, body))
    form = DecisionForm(request.POST, prefix=f"item{item_pk}")
    return _record_for_agenda_item(
        request,
        pk,
        item_pk,
        form,
        f"決定を記録しました。提案者と{city().promoter}に通知しました。",
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
    meeting = agenda_item_for_user(request, pk, item_pk).meeting
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


@require_POST
@login_required
def correct_opinion(request, pk, item_pk):
    body = agenda_item_for_user(request, pk, item_pk).meeting.body
    require(body.gives_opinions and may_record_for(request.user, body))
    form = OpinionCorrectionForm(request.POST, prefix=f"fix{item_pk}")
    return _record_for_agenda_item(
        request,
        pk,
        item_pk,
        form,
        "意見・提言を訂正しました。訂正前の内容も残っています。",
        lambda meeting, data: services.correct_opinion(
            meeting, item_pk, actor=request.user, text=data["text"], reason=data["why"]
        ),
    )


@require_POST
@login_required
def correct_decision(request, pk, item_pk):
    body = agenda_item_for_user(request, pk, item_pk).meeting.body
    require(body.decides and may_record_for(request.user, body))
    form = DecisionCorrectionForm(request.POST, prefix=f"fix{item_pk}")
    return _record_for_agenda_item(
        request,
        pk,
        item_pk,
        form,
        "決定を訂正しました。訂正前の内容も残っています。",
        lambda meeting, data: services.correct_decision(
            meeting,
            item_pk,
            actor=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            conditions=data["conditions"],
            why=data["why"],
        ),
    )


@require_safe
@login_required
def meeting_attachment(request, pk, attachment_pk):
    return download_response(meeting_attachment_for_user(request, pk, attachment_pk))


@require_safe
@login_required
def meeting_print(request, pk):
    """The agenda and each item's material, to print or hand out (議事次第・資料)."""
    meeting = meeting_for_user(request, pk)
    agenda = _agenda(meeting)
    return render(
        request,
        "reviews/meeting_print.html",
        {
            "meeting": meeting,
            "rows": _rows(agenda, None, None),
            "attachments": meeting.attachments.all(),
            "show_internal": not request.user.is_external,
        },
    )


@require_safe
@login_required
def meeting_calendar(request, pk):
    """The meeting as a calendar file (iCalendar, one all-day event) for the members' diaries."""
    meeting = meeting_for_user(request, pk)
    response = HttpResponse(
        calendar.event(meeting, url=request.build_absolute_uri(meeting.get_absolute_url())),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
