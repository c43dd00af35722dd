"""情報政策課's review of a proposal: the checklist, classification, return and consolidation."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import require_secretariat
from core import audit
from initiatives import notifications
from initiatives import services as initiative_services
from initiatives.models import CARRIED_BY_CONSOLIDATION, Initiative
from initiatives.workflow import REVIEWABLE, planned_target
from policies.models import ChecklistItem
from policies.names import city

from ..models import ChecklistReview, ChecklistReviewAnswer, Classification
from ..queries import checklist_in_force, current_review

S = Initiative.Status

audit.register(
    {
        "review.answered": "チェックリストの審査",
        "initiative.consolidated": "取りまとめ（統合）",
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
    """Record 情報政策課's answers {ChecklistItem: (answer, evidence)}; unanswered items stay
    open. The review is complete when every item of the version has an answer."""
    require_secretariat(actor, "この操作を行う権限がありません。")
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if locked.status not in REVIEWABLE:
        raise ReviewError(f"「{locked.get_status_display()}」の取組項目は審査できません。")
    checklist = checklist_in_force()
    review, _ = ChecklistReview.objects.get_or_create(initiative=locked, checklist=checklist)
    before = {
        str(a.item.number): [a.answer, a.evidence] for a in review.answers.select_related("item")
    }
    for item, (answer, evidence) in answers.items():
        if item.checklist_id != checklist.pk:
            raise ReviewError("適用中のチェックリストにない項目です。")
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
    return initiative_services.transition(
        initiative,
        to=target,
        actor=actor,
        comment=reason,
        expected_status=expected_status,
        context={"classification": classification.pk, "kind": kind},
        service="classify",
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


def _lock_originals(originals, source, primary):
    """The chosen originals, locked, checked, by id; the source and primary among them."""
    ids = sorted({o.pk for o in originals})
    if len(ids) < 2:
        raise ReviewError("統合するには、異なる取組項目を2件以上選んでください。")
    locked = list(Initiative.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    wrong = [i for i in locked if i.status not in REVIEWABLE]
    if wrong:
        names = "、".join(f"「{i.title}」（{i.get_status_display()}）" for i in wrong)
        raise ReviewError(f"提出済・審査中の取組項目だけを統合できます: {names}")
    by_id = {i.pk: i for i in locked}
    if source.pk not in by_id or (primary is not None and primary.pk not in by_id):
        raise ReviewError("統合の元にする取組項目は、選んだ取組項目の中から選んでください。")
    return locked, by_id


@transaction.atomic
def consolidate(originals, *, actor, primary=None, source, title, content):
    """Merge several submitted proposals into one (a new initiative, or `primary`, one of them).

    The others become 統合済, linked to the result; nothing is deleted. `source` is the original
    whose remaining fields the result takes; `title` and `content` are chosen by 情報政策課.
    """
    require_secretariat(actor, "この操作を行う権限がありません。")
    locked, by_id = _lock_originals(originals, source, primary)
    source = by_id[source.pk]
    if not title.strip():
        raise ReviewError("統合後の取組名を入力してください。")
    values = {
        "title": title.strip(),
        "content": content.strip(),
        **{name: getattr(source, name) for name in CARRIED_BY_CONSOLIDATION},
    }
    merged_policy = values["policy"].pk if values["policy"] else None
    add = {
        "affected_departments": {d for i in locked for d in i.affected_departments.all()},
        "examples": {
            e
            for i in locked
            for e in i.examples.all()
            if merged_policy and e.policy_id == merged_policy
        },
    }
    if primary is None:
        result = initiative_services.create_initiative(
            actor=actor,
            edition=source.edition,
            channel=source.channel,
            department=actor.department,
            values={**values, **add},
        )
        initiative_services.transition(
            result, to=S.SUBMITTED, actor=actor, comment="取りまとめにより作成", service="submit"
        )
    else:
        result = initiative_services.rewrite(
            by_id[primary.pk], actor=actor, values=values, add=add, comment="取りまとめ（統合）"
        )
    merged = [i for i in locked if i.pk != result.pk]
    if result.status == S.SUBMITTED:
        initiative_services.transition(
            result,
            to=S.UNDER_REVIEW,
            actor=actor,
            comment="取りまとめ（統合）により審査を開始",
            context={"consolidated_from": [i.pk for i in merged]},
            service="review",
        )
    audit.record(
        actor=actor,
        action="initiative.consolidated",
        obj=result,
        after={"consolidated_from": [i.pk for i in merged], "source": source.pk},
    )
    for original in merged:
        _merge_into(original, result, actor)
    return result


def _merge_into(original, result, actor):
    initiative_services.transition(
        original,
        to=S.CONSOLIDATED,
        actor=actor,
        comment=f"「{result.title}」に統合",
        changes={"consolidated_into": result},
        service="consolidate",
    )
    notifications.notify(
        notifications.owners(original),
        f"統合: {original.title}",
        f"{city().secretariat}が取組項目（案）「{original.title}」を「{result.title}」に統合しました。"
        "元の提案は統合済として残ります。",
        url=result.get_absolute_url(),
    )
