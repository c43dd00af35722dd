"""What the owners and the secretariat do to an initiative from its page: submit, withdraw, the
transitions that change nothing but the state, and its attachments."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import staff_required
from core.forms import error_summary
from core.uploads import download_response
from policies.names import city

from .. import access, services, workflow
from ..forms import TransitionForm
from ..models import Initiative
from ..similarity import similar_initiatives
from ..submission import submission_problems

S = Initiative.Status


@require_http_methods(["GET", "POST"])
@staff_required
def initiative_submit(request, pk):
    initiative = access.initiative_for_user(request, pk)
    if not workflow.is_actor(request.user, initiative, workflow.OWNERS):
        raise PermissionDenied("この取組項目を提出する権限がありません。")
    problems = submission_problems(initiative)
    if request.method == "POST":
        form = TransitionForm(request.POST)
        if form.is_valid():
            try:
                services.submit(
                    initiative,
                    actor=request.user,
                    expected_status=form.cleaned_data["expected_status"],
                )
            except services.SubmissionIncomplete as exc:
                problems = exc.problems
            except services.TransitionError as exc:
                messages.error(request, str(exc))
                return redirect(initiative)
            else:
                messages.success(request, f"提出しました。{city().secretariat}が取りまとめます。")
                return redirect(initiative)
    return render(
        request,
        "initiatives/initiative_submit.html",
        {
            "initiative": initiative,
            "problems": problems,
            "form": TransitionForm(initial={"expected_status": initiative.status}),
            "allowed": workflow.rule_for(initiative.status, S.SUBMITTED, "submit") is not None,
            # Shown before the button: the department may join an existing idea instead.
            "similar": similar_initiatives(initiative, Initiative.objects.visible_to(request.user)),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def initiative_withdraw(request, pk):
    initiative = access.initiative_for_user(request, pk)
    rule = workflow.rule_for(initiative.status, S.WITHDRAWN, "withdraw")
    if rule is None or not workflow.is_actor(request.user, initiative, rule.actors):
        raise PermissionDenied("この取組項目を取り下げることはできません。")
    form = TransitionForm(request.POST or None, initial={"expected_status": initiative.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(
                initiative,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except services.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "取り下げました。")
        return redirect(initiative)
    return render(
        request, "initiatives/initiative_withdraw.html", {"initiative": initiative, "form": form}
    )


@require_safe
@staff_required
def attachment_download(request, pk, attachment_pk):
    return download_response(access.attachment_for_user(request, pk, attachment_pk))


@require_POST
@staff_required
def attachment_delete(request, pk, attachment_pk):
    attachment = access.attachment_for_user(request, pk, attachment_pk, write=True)
    services.delete_attachment(attachment, actor=request.user)
    messages.success(request, f"添付ファイル「{attachment.original_name}」を削除しました。")
    return redirect("initiatives:edit", pk=pk)


@require_http_methods(["GET", "POST"])
@staff_required
def initiative_transition(request, pk, target):
    """Transitions that change nothing but the state (start, complete, cancel): confirm, then go."""
    initiative = access.initiative_for_user(request, pk)
    rule = workflow.rule_for(initiative.status, target, service="")
    if rule is None or rule.service or not workflow.is_actor(request.user, initiative, rule.actors):
        raise PermissionDenied("この操作はできません。")
    form = TransitionForm(request.POST or None, initial={"expected_status": initiative.status})
    if rule.comment_required:
        form.fields["comment"].required = True
        form.fields["comment"].label = "理由"
    if request.method == "POST" and form.is_valid():
        try:
            services.transition(
                initiative,
                to=target,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except services.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"「{workflow.status_label(target)}」にしました。")
        return redirect(initiative)
    return render(
        request,
        "initiatives/initiative_transition.html",
        {
            "initiative": initiative,
            "rule": rule,
            "form": form,
            "errors": error_summary(form) if form.is_bound else [],
        },
    )
