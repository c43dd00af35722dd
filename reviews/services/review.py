"""The secretariat's review of a proposal: the checklist, classification and return."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import require_secretariat
from core import audit
from initiatives import notifications
from initiatives import services as initiative_services
from initiatives.models import Initiative
from initiatives.workflow import REVIEWABLE, planned_target
from policies.models import ChecklistItem
from policies.names import city

from ..models import ChecklistReview, ChecklistReviewAnswer, Classification
from ..queries import checklist_for, current_review

S = Initiative.Status

audit.register(
    {
        "review.answered": "チェックリストの審査",
    }
)


class ReviewError(initiative_services.TransitionError):
    """Refused input of the review workflow; the message is shown to the user."""


@transaction.atomic
def start_review(initiative, *, actor, expected_status=None):
    require_secretariat(actor, "この操作を行う権限がありません。")
    return initiative_services.transition(
        initiative,
        to=S.UNDER_REVIEW,
        actor=actor,
        expected_status=expected_status,
        service="review",
    )


@transaction.atomic
def save_checklist_review(initiative, *, actor, answers):
    """Record the secretariat's answers {ChecklistItem: (answer, evidence)}; unanswered items stay
    open. The review is complete when every item of the version has an answer."""
    require_secretariat(actor, "この操作を行う権限がありません。")
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if locked.status not in REVIEWABLE:
        raise ReviewError(f"「{locked.get_status_display()}」の取組項目は審査できません。")
    checklist = checklist_for(locked)
    review, _ = ChecklistReview.objects.get_or_create(initiative=locked, checklist=checklist)
    before = {
        str(a.item.number): [a.answer, a.evidence] for a in review.answers.select_related("item")
    }
    for item, (answer, evidence) in answers.items():
        if item.checklist_id != checklist.pk:
            raise ReviewError("この取組項目のチェックリストにない項目です。")
        if not answer:
            continue
        if ChecklistItem.needs_note(answer) and not evidence.strip():
            raise ReviewError(
                f"項目{item.number}は「適」以外のため、根拠・所見を入力してください。"
            )
        ChecklistReviewAnswer.objects.update_or_create(
            review=review,
            item=item,
            defaults={"answer": answer, "evidence": evidence.strip(), "reviewer": actor},
        )
    after = {
        str(a.item.number): [a.answer, a.evidence] for a in review.answers.select_related("item")
    }
    complete = len(after) == checklist.items.count()
    review.completed_at = (review.completed_at or timezone.now()) if complete else None
    review.save(update_fields=["completed_at"])
    old, new = audit.changed(before, after)
    audit.record(
        actor=actor,
        action="review.answered",
        obj=locked,
        before=old,
        after=new,
        context={"review": review.pk, "checklist": checklist.pk, "complete": complete},
    )
    return review


@transaction.atomic
def classify(initiative, *, actor, kind, reason, expected_status=None):
    """所管課推進 (to the department, OODA) or 計画的推進が必要 (to the council and the HQ)."""
    require_secretariat(actor, "この操作を行う権限がありません。")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("分類の理由を入力してください。")
    if kind not in Classification.Kind.values:
        raise ReviewError("分類を選んでください。")
    review = current_review(initiative)
    if review is None or not review.is_complete:
        raise ReviewError(
            "チェックリストの審査がすべての項目で完了していないため、分類できません。"
        )
    target = S.DEPARTMENT_LED if kind == Classification.Kind.DEPARTMENT_LED else planned_target()
    classification = Classification.objects.create(
        initiative=initiative, kind=kind, reason=reason, classified_by=actor
    )
    event = initiative_services.transition(
        initiative,
        to=target,
        actor=actor,
        comment=reason,
        expected_status=expected_status,
        context={"classification": classification.pk, "kind": kind},
        service="classify",
    )
    _tell_owners_of_classification(initiative, kind, reason)
    return event


def _tell_owners_of_classification(initiative, kind, reason):
    names = city()
    if kind == Classification.Kind.DEPARTMENT_LED:
        text = (
            "所管課推進として、所属で進めることになりました。取組のページから推進を開始し、"
            "進捗を記録してください。"
        )
    else:
        text = f"計画的推進が必要として、{names.planned_route}で審議されることになりました。"
    notifications.notify(
        notifications.owners(initiative),
        f"分類: {initiative.title}",
        f"{names.secretariat}が審査を終え、取組項目を分類しました。{text}\n\n"
        f"{initiative.title}\n理由: {reason}",
        url=initiative.get_absolute_url(),
    )


@transaction.atomic
def return_for_revision(initiative, *, actor, comment, expected_status=None):
    event = initiative_services.transition(
        initiative,
        to=S.RETURNED,
        actor=actor,
        comment=comment,
        expected_status=expected_status,
        service="review",
    )
    notifications.notify(
        notifications.owners(initiative),
        f"差戻し: {initiative.title}",
        f"{city().secretariat}が取組項目（案）を差し戻しました。内容を修正して再提出してください。\n\n"
        f"{initiative.title}\n理由: {event.comment}",
        url=reverse("initiatives:edit", args=[initiative.pk]),
    )
    return event
