"""情報政策課's review, consolidation, classification and the meetings' results.

Each function is one transaction and writes its audit event through `core.audit.record`;
every state change of an initiative goes through the initiatives app's transition service.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts import roles
from accounts.permissions import require_secretariat
from core import audit
from core.uploads import stored_uploads
from initiatives import notifications
from initiatives import services as initiative_services
from initiatives.models import CARRIED_BY_CONSOLIDATION, Initiative
from initiatives.workflow import REVIEWABLE, agenda_states
from policies.models import ChecklistItem

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
from .queries import checklist_in_force, current_review

S = Initiative.Status

audit.register(
    {
        "review.answered": "チェックリストの審査",
        "initiative.consolidated": "取りまとめ（統合）",
        "meeting.created": "会議の登録",
        "meeting.updated": "会議の記録",
        "agenda.added": "議題の追加",
        "opinion.recorded": "意見・提言の記録",
        "decision.recorded": "決定の記録",
    }
)


class ReviewError(initiative_services.TransitionError):
    """Refused input of the review workflow; the message is shown to the user."""


def require_role(user, *names):
    if not user.is_authenticated or not user.has_role(*names):
        raise PermissionDenied("この操作を行う権限がありません。")


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
    target = S.DEPARTMENT_LED if kind == Classification.Kind.DEPARTMENT_LED else S.COUNCIL
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
        f"情報政策課が取組項目（案）を差し戻しました。内容を修正して再提出してください。\n\n"
        f"{initiative.title}\n理由: {event.comment}\n{notifications.link(initiative)}\n",
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
        f"情報政策課が取組項目（案）「{original.title}」を「{result.title}」に統合しました。"
        f"元の提案は統合済として残ります。\n\n{notifications.link(result)}\n",
    )


# --- Meetings ---------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(*, actor, body, held_on, place="", number=None):
    require_secretariat(actor, "この操作を行う権限がありません。")
    if number is None:
        number = (Meeting.objects.filter(body=body).aggregate(n=Max("number"))["n"] or 0) + 1
    if Meeting.objects.filter(body=body, number=number).exists():
        raise ReviewError(f"{body.name}の第{number}回は既に登録されています。")
    meeting = Meeting.objects.create(
        body=body, number=number, held_on=held_on, place=place, created_by=actor
    )
    audit.record(
        actor=actor,
        action="meeting.created",
        obj=meeting,
        after=audit.snapshot(meeting, ["body", "number", "held_on", "place"]),
    )
    return meeting


@transaction.atomic
def add_agenda_item(meeting, *, actor, initiative):
    require_secretariat(actor, "この操作を行う権限がありません。")
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if locked.status not in agenda_states(meeting.body.kind):
        raise ReviewError(
            f"「{locked.title}」は「{locked.get_status_display()}」のため、{meeting.body.name}の議題にできません。"
        )
    if not locked.is_shared:
        raise ReviewError("提出されていない取組項目は議題にできません。")
    if AgendaItem.objects.filter(meeting=meeting, initiative=locked).exists():
        raise ReviewError(f"「{locked.title}」は既にこの会議の議題です。")
    order = (AgendaItem.objects.filter(meeting=meeting).aggregate(n=Max("order"))["n"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, initiative=locked, order=order)
    audit.record(
        actor=actor,
        action="agenda.added",
        obj=meeting,
        after={"initiative": locked.pk, "order": order},
        context={"agenda_item": item.pk},
    )
    return item


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
    if not meeting.body.gives_opinions:
        raise ReviewError("意見・提言は協議会の会議にだけ記録できます。")
    if not (text or "").strip():
        raise ReviewError("意見・提言を入力してください。")
    if Opinion.objects.filter(agenda_item=item).exists():
        raise ReviewError("この議題の意見・提言は既に記録されています。")
    opinion = Opinion.objects.create(agenda_item=item, text=text.strip(), recorded_by=actor)
    refs = {"meeting": meeting.pk, "agenda_item": item.pk, "opinion": opinion.pk}
    audit.record(
        actor=actor,
        action="opinion.recorded",
        obj=item.initiative,
        after={"text": opinion.text},
        context=refs,
    )
    if item.initiative.status == S.COUNCIL:
        initiative_services.transition(
            item.initiative,
            to=S.HQ_REVIEW,
            actor=actor,
            comment=f"{meeting}で意見・提言",
            context=refs,
            service="opinion",
        )
    return opinion


@transaction.atomic
def record_decision(meeting, agenda_item_id, *, actor, outcome, reason, conditions=""):
    require_role(actor, roles.INFO_POLICY, roles.HEADQUARTERS)
    item = _agenda_item(meeting, agenda_item_id)
    if not meeting.body.decides:
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
    refs = {"meeting": meeting.pk, "agenda_item": item.pk, "decision": decision.pk}
    audit.record(
        actor=actor,
        action="decision.recorded",
        obj=item.initiative,
        after={"outcome": outcome, "conditions": conditions},
        context=refs,
        comment=reason,
    )
    initiative_services.transition(
        item.initiative,
        to=outcome,
        actor=actor,
        comment=reason,
        context={**refs, "conditions": conditions},
        service="decision",
    )
    _tell_owners_of_decision(meeting, item.initiative, decision)
    return decision


def _tell_owners_of_decision(meeting, initiative, decision):
    conditions = f"条件: {decision.conditions}\n" if decision.conditions else ""
    notifications.notify(
        notifications.owners(initiative),
        f"{decision.get_outcome_display()}: {initiative.title}",
        f"{meeting}で取組項目「{initiative.title}」が「{decision.get_outcome_display()}」となりました。\n"
        f"理由: {decision.reason}\n{conditions}{notifications.link(initiative)}\n",
    )


def save_minutes(form, *, actor):
    """Save a meeting's date, place, minutes and new documents, all or nothing."""
    require_secretariat(actor, "この操作を行う権限がありません。")
    fields = ["held_on", "place", "minutes"]
    with stored_uploads() as uploads, transaction.atomic():
        before = audit.snapshot(Meeting.objects.get(pk=form.instance.pk), fields)
        meeting = form.save()
        stored = [
            uploads.store(MeetingAttachment(meeting=meeting), upload, actor)
            for upload in form.cleaned_data.get("new_files", [])
        ]
        old, new = audit.changed(before, audit.snapshot(meeting, fields))
        if stored:
            new["attachments"] = [a.original_name for a in stored]
        audit.record(actor=actor, action="meeting.updated", obj=meeting, before=old, after=new)
        return meeting
