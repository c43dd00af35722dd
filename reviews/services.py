"""情報政策課's review, consolidation, classification and the meetings' results.

Each function is one transaction; every state change goes through initiatives' transition
service, which writes the audit event.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts import roles
from initiatives import notifications
from initiatives.models import Initiative
from initiatives.services import TransitionError, transition
from initiatives.uploads import stored_uploads
from policies.models import Body, PolicyEdition

from .models import (
    AgendaItem,
    ChecklistReview,
    ChecklistReviewAnswer,
    Classification,
    Decision,
    Meeting,
    MeetingAttachment,
    Opinion,
)

S = Initiative.Status
REVIEWABLE = (S.SUBMITTED, S.UNDER_REVIEW)


class ReviewError(TransitionError):
    """Refused input of the review workflow; the message is shown to the user."""


def require_role(user, *names):
    if not user.is_authenticated or not user.has_role(*names):
        raise PermissionDenied("この操作を行う権限がありません。")


def checklist_in_force():
    edition = PolicyEdition.objects.in_force()
    return edition.current_checklist() if edition else None


def current_review(initiative):
    """The review of the checklist version in force, if one was started."""
    checklist = checklist_in_force()
    if checklist is None:
        return None
    return (
        ChecklistReview.objects.filter(initiative=initiative, checklist=checklist)
        .prefetch_related("answers__reviewer")
        .first()
    )


@transaction.atomic
def save_checklist_review(initiative, *, actor, answers):
    """Record 情報政策課's answers {ChecklistItem: (answer, evidence)}; unanswered items stay
    open. The review is complete when every item of the version has an answer."""
    require_role(actor, roles.INFO_POLICY)
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if locked.status not in REVIEWABLE:
        raise ReviewError(f"「{locked.get_status_display()}」の取組項目は審査できません。")
    checklist = checklist_in_force()
    review, _ = ChecklistReview.objects.get_or_create(initiative=locked, checklist=checklist)
    for item, (answer, evidence) in answers.items():
        if item.checklist_id != checklist.pk:
            raise ReviewError("適用中のチェックリストにない項目です。")
        if not answer:
            continue
        if answer != "ok" and not evidence.strip():
            raise ReviewError(
                f"項目{item.number}は「適」以外のため、根拠・所見を入力してください。"
            )
        ChecklistReviewAnswer.objects.update_or_create(
            review=review,
            item=item,
            defaults={"answer": answer, "evidence": evidence.strip(), "reviewer": actor},
        )
    answered = review.answers.count()
    complete = answered == checklist.items.count()
    review.completed_at = (review.completed_at or timezone.now()) if complete else None
    review.save(update_fields=["completed_at"])
    return review


@transaction.atomic
def classify(initiative, *, actor, kind, reason, expected_status=None):
    """所管課推進 (to the department, OODA) or 計画的推進が必要 (to the council and the HQ)."""
    require_role(actor, roles.INFO_POLICY)
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
    target = S.DEPARTMENT_LED if kind == Classification.Kind.DEPARTMENT_LED else S.COUNCIL
    event = transition(
        initiative,
        to=target,
        actor=actor,
        comment=reason,
        expected_status=expected_status,
        data={"classification": kind},
    )
    Classification.objects.create(
        initiative=initiative, kind=kind, reason=reason, classified_by=actor
    )
    return event


@transaction.atomic
def return_for_revision(initiative, *, actor, comment, expected_status=None):
    event = transition(
        initiative, to=S.RETURNED, actor=actor, comment=comment, expected_status=expected_status
    )
    notifications.notify(
        notifications.owners(initiative),
        f"差戻し: {initiative.title}",
        f"情報政策課が取組項目（案）を差し戻しました。内容を修正して再提出してください。\n\n"
        f"{initiative.title}\n理由: {event.comment}\n{notifications.link(initiative)}\n",
    )
    return event


CONSOLIDATED_FIELDS = (
    "policy",
    "current_issues",
    "effect_citizens",
    "effect_staff",
    "staff_hours_saved",
    "small_start_plan",
    "initial_cost",
    "running_cost",
    "funding_sources",
    "funding_note",
    "security",
)


@transaction.atomic
def consolidate(originals, *, actor, primary=None, source, title, content):
    """Merge several submitted proposals into one (a new initiative, or `primary`, one of them).

    The others become 統合済, linked to the result; nothing is deleted. `source` is the original
    whose remaining fields the result takes; `title` and `content` are chosen by 情報政策課.
    """
    require_role(actor, roles.INFO_POLICY)
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
    source = by_id[source.pk]
    if not title.strip():
        raise ReviewError("統合後の取組名を入力してください。")

    if primary is None:
        result = Initiative(
            edition=source.edition,
            channel=source.channel,
            department=actor.department,
            proposer=actor,
            title=title.strip(),
            content=content.strip(),
            **{name: getattr(source, name) for name in CONSOLIDATED_FIELDS},
        )
        result._history_user = actor
        result.save()
        transition(result, to=S.SUBMITTED, actor=actor, comment="取りまとめにより作成")
    else:
        result = by_id[primary.pk]
        for name in CONSOLIDATED_FIELDS:
            setattr(result, name, getattr(source, name))
        result.title, result.content = title.strip(), content.strip()
        result.version += 1
        result._history_user = actor
        result.save()
    merged = [i for i in locked if i.pk != result.pk]
    result.affected_departments.add(*{d for i in locked for d in i.affected_departments.all()})
    if result.policy_id:
        result.examples.add(
            *{e for i in locked for e in i.examples.all() if e.policy_id == result.policy_id}
        )
    if result.status == S.SUBMITTED:
        transition(
            result,
            to=S.UNDER_REVIEW,
            actor=actor,
            comment="取りまとめ（統合）により審査を開始",
            data={"consolidated_from": [i.pk for i in merged]},
        )
    for original in merged:
        transition(
            original,
            to=S.CONSOLIDATED,
            actor=actor,
            comment=f"「{result.title}」に統合",
            changes={"consolidated_into": result},
            data={"consolidated_into": result.pk},
        )
        notifications.notify(
            notifications.owners(original),
            f"統合: {original.title}",
            f"情報政策課が取組項目（案）「{original.title}」を「{result.title}」に統合しました。"
            f"元の提案は統合済として残ります。\n\n{notifications.link(result)}\n",
        )
    return result


@transaction.atomic
def create_meeting(*, actor, body, held_on, place="", number=None):
    require_role(actor, roles.INFO_POLICY)
    if number is None:
        number = (Meeting.objects.filter(body=body).aggregate(n=Max("number"))["n"] or 0) + 1
    if Meeting.objects.filter(body=body, number=number).exists():
        raise ReviewError(f"{body.name}の第{number}回は既に登録されています。")
    return Meeting.objects.create(
        body=body, number=number, held_on=held_on, place=place, created_by=actor
    )


# Which states an initiative must be in to go on a body's agenda.
AGENDA_STATES = {
    Body.Kind.COUNCIL: (S.COUNCIL,),
    Body.Kind.HEADQUARTERS: (S.HQ_REVIEW, S.DEFERRED),
}


@transaction.atomic
def add_agenda_item(meeting, *, actor, initiative):
    require_role(actor, roles.INFO_POLICY)
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    allowed = AGENDA_STATES.get(meeting.body.kind)
    if allowed is not None and locked.status not in allowed:
        raise ReviewError(
            f"「{locked.title}」は「{locked.get_status_display()}」のため、{meeting.body.name}の議題にできません。"
        )
    if not locked.is_shared:
        raise ReviewError("提出されていない取組項目は議題にできません。")
    if AgendaItem.objects.filter(meeting=meeting, initiative=locked).exists():
        raise ReviewError(f"「{locked.title}」は既にこの会議の議題です。")
    order = (AgendaItem.objects.filter(meeting=meeting).aggregate(n=Max("order"))["n"] or 0) + 1
    return AgendaItem.objects.create(meeting=meeting, initiative=locked, order=order)


def _agenda_item(meeting, agenda_item_id):
    item = (
        AgendaItem.objects.select_for_update()
        .select_related("meeting__body", "initiative")
        .filter(pk=agenda_item_id, meeting=meeting)
        .order_by("pk")
        .first()
    )
    if item is None:
        raise ReviewError("この会議の議題ではありません。")
    return item


@transaction.atomic
def record_opinion(meeting, agenda_item_id, *, actor, text):
    require_role(actor, roles.INFO_POLICY, roles.COUNCIL)
    item = _agenda_item(meeting, agenda_item_id)
    if meeting.body.kind != Body.Kind.COUNCIL:
        raise ReviewError("意見・提言は協議会の会議にだけ記録できます。")
    if not (text or "").strip():
        raise ReviewError("意見・提言を入力してください。")
    if Opinion.objects.filter(agenda_item=item).exists():
        raise ReviewError("この議題の意見・提言は既に記録されています。")
    opinion = Opinion.objects.create(agenda_item=item, text=text.strip(), recorded_by=actor)
    if item.initiative.status == S.COUNCIL:
        transition(
            item.initiative,
            to=S.HQ_REVIEW,
            actor=actor,
            comment=f"{meeting}で意見・提言",
            data={"meeting": meeting.pk, "agenda_item": item.pk, "opinion": opinion.pk},
        )
    return opinion


@transaction.atomic
def record_decision(meeting, agenda_item_id, *, actor, outcome, reason, conditions=""):
    require_role(actor, roles.INFO_POLICY, roles.HEADQUARTERS)
    item = _agenda_item(meeting, agenda_item_id)
    if meeting.body.kind != Body.Kind.HEADQUARTERS:
        raise ReviewError("決定は推進本部の会議にだけ記録できます。")
    if outcome not in Decision.Outcome.values:
        raise ReviewError("結果を選んでください。")
    reason, conditions = (reason or "").strip(), (conditions or "").strip()
    if not reason:
        raise ReviewError("理由を入力してください。")
    if conditions and outcome != Decision.Outcome.DECIDED:
        raise ReviewError("条件は「決定」のときだけ付けられます。")
    if Decision.objects.filter(agenda_item=item).exists():
        raise ReviewError("この議題の決定は既に記録されています。")
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                agenda_item=item,
                outcome=outcome,
                reason=reason,
                conditions=conditions,
                recorded_by=actor,
            )
    except IntegrityError as exc:
        raise ReviewError("この議題の決定は既に記録されています。") from exc
    transition(
        item.initiative,
        to=outcome,
        actor=actor,
        comment=reason,
        data={
            "meeting": meeting.pk,
            "agenda_item": item.pk,
            "decision": decision.pk,
            "conditions": conditions,
        },
    )
    initiative = item.initiative
    notifications.notify(
        notifications.owners(initiative),
        f"{decision.get_outcome_display()}: {initiative.title}",
        f"{meeting}で取組項目「{initiative.title}」が「{decision.get_outcome_display()}」となりました。\n"
        f"理由: {reason}\n{'条件: ' + conditions + chr(10) if conditions else ''}"
        f"{notifications.link(initiative)}\n",
    )
    return decision


def save_minutes(form, *, actor):
    """Save a meeting's date, place, minutes and new documents, all or nothing."""
    require_role(actor, roles.INFO_POLICY)
    with stored_uploads() as uploads, transaction.atomic():
        meeting = form.save()
        for upload in form.cleaned_data.get("new_files", []):
            uploads.store(MeetingAttachment(meeting=meeting), upload, actor)
        return meeting
