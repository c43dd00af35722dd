"""Correcting what a meeting's record says: an opinion or a decision, with the reason, keeping
what it said before (Correction) and the audit event. A decision is corrected only while the
item still stands where that decision left it (not yet placed in a plan, say)."""

from django.db import transaction

from accounts.permissions import require
from core import audit
from initiatives import services as initiative_services
from initiatives.models import Initiative

from ..models import Correction, Decision, Opinion
from .meetings import _agenda_item
from .review import ReviewError

S = Initiative.Status

audit.register(
    {
        "opinion.corrected": "意見・提言の訂正",
        "decision.corrected": "決定の訂正",
    }
)


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("訂正の理由を入力してください。")
    return reason


@transaction.atomic
def correct_opinion(meeting, agenda_item_id, *, actor, text, reason):
    require(actor.is_authenticated and (actor.is_secretariat or actor.sits_on(meeting.body)))
    item = _agenda_item(meeting, agenda_item_id)
    opinion = Opinion.objects.select_for_update().filter(agenda_item=item).first()
    if opinion is None:
        raise ReviewError("訂正する意見・提言がありません。")
    reason, text = _reason(reason), (text or "").strip()
    if not text:
        raise ReviewError("意見・提言を入力してください。")
    before, after = {"text": opinion.text}, {"text": text}
    if before == after:
        raise ReviewError("訂正前と同じ内容です。")
    opinion.text = text
    opinion.save(update_fields=["text"])
    correction = Correction.objects.create(
        agenda_item=item,
        kind="opinion",
        before=before,
        after=after,
        reason=reason,
        corrected_by=actor,
    )
    audit.record(
        actor=actor,
        action="opinion.corrected",
        obj=item.initiative,
        before=before,
        after=after,
        context={"meeting": meeting.pk, "agenda_item": item.pk, "correction": correction.pk},
        comment=reason,
    )
    return correction


@transaction.atomic
def correct_decision(meeting, agenda_item_id, *, actor, outcome, reason, conditions, why):
    """Correct the decision of an agenda item: its outcome, reason and conditions; `why` is the
    reason for the correction."""
    require(actor.is_authenticated and (actor.is_secretariat or actor.sits_on(meeting.body)))
    item = _agenda_item(meeting, agenda_item_id)
    decision = Decision.objects.select_for_update().filter(agenda_item=item).first()
    if decision is None:
        raise ReviewError("訂正する決定がありません。")
    why = _reason(why)
    reason, conditions = (reason or "").strip(), (conditions or "").strip()
    if outcome not in Decision.Outcome.values or not reason:
        raise ReviewError("結果と理由を入力してください。")
    if conditions and outcome != Decision.Outcome.DECIDED:
        raise ReviewError("条件は「決定」のときだけ付けられます。")
    fields = ["outcome", "reason", "conditions"]
    before = audit.snapshot(decision, fields)
    after = {"outcome": outcome, "reason": reason, "conditions": conditions}
    if before == after:
        raise ReviewError("訂正前と同じ内容です。")
    initiative = item.initiative
    if initiative.status != decision.outcome:
        raise ReviewError(
            "この取組項目は決定の後に進んでいるため、決定を訂正できません。"
            "必要なら、いまの状態から手続きを進めてください。"
        )
    correction = Correction.objects.create(
        agenda_item=item,
        kind="decision",
        before=before,
        after=after,
        reason=why,
        corrected_by=actor,
    )
    refs = {"meeting": meeting.pk, "agenda_item": item.pk, "correction": correction.pk}
    Decision.objects.filter(pk=decision.pk).update(**after)
    audit.record(
        actor=actor,
        action="decision.corrected",
        obj=initiative,
        before=before,
        after=after,
        context=refs,
        comment=why,
    )
    if outcome != before["outcome"]:
        initiative_services.transition(
            initiative,
            to=outcome,
            actor=actor,
            comment=f"決定の訂正: {why}",
            context=refs,
            service="decision",
        )
    return correction
