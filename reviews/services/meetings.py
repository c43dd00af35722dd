"""The meetings of the council and the HQ: agenda, opinions, decisions and their records."""

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.permissions import require, require_secretariat
from core import audit
from core.uploads import stored_uploads
from initiatives import notifications
from initiatives import services as initiative_services
from initiatives.models import Initiative
from initiatives.workflow import agenda_states
from policies.models import Body
from policies.names import city

from ..models import AgendaItem, Decision, Meeting, MeetingAttachment, Opinion
from .review import ReviewError

S = Initiative.Status

audit.register(
    {
        "meeting.created": "会議の登録",
        "meeting.updated": "会議の記録",
        "agenda.added": "議題の追加",
        "opinion.recorded": "意見・提言の記録",
        "decision.recorded": "決定の記録",
    }
)


@transaction.atomic
def create_meeting(*, actor, body, held_on, place="", number=None):
    require_secretariat(actor, "この操作を行う権限がありません。")
    # One numbering per body at a time: two people registering at once get 第n回 and 第n+1回.
    Body.objects.select_for_update().filter(pk=body.pk).first()
    if number is None:
        number = (Meeting.objects.filter(body=body).aggregate(n=Max("number"))["n"] or 0) + 1
    if Meeting.objects.filter(body=body, number=number).exists():
        raise ReviewError(f"{body.name}の第{number}回は既に登録されています。")
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                body=body, number=number, held_on=held_on, place=place, created_by=actor
            )
    except IntegrityError as exc:  # a database that does not lock rows (SQLite) still says so
        raise ReviewError(f"{body.name}の第{number}回は既に登録されています。") from exc
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


def _check_held(meeting):
    """What a meeting said is recorded once it has met, never ahead of its date."""
    if meeting.held_on > timezone.localdate():
        raise ReviewError(
            f"{meeting}は{meeting.held_on:%Y年%-m月%-d日}開催の予定です。"
            "意見・提言や決定は、開催日以降に記録してください。"
        )


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
    require(actor.is_authenticated and (actor.is_secretariat or actor.sits_on(meeting.body)))
    item = _agenda_item(meeting, agenda_item_id)
    _check_held(meeting)
    if not meeting.body.gives_opinions:
        raise ReviewError(f"意見・提言は{city().advisory}の会議にだけ記録できます。")
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
    require(actor.is_authenticated and (actor.is_secretariat or actor.sits_on(meeting.body)))
    item = _agenda_item(meeting, agenda_item_id)
    _check_held(meeting)
    if not meeting.body.decides:
        raise ReviewError(f"決定は{city().decision}の会議にだけ記録できます。")
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
        f"理由: {decision.reason}\n{conditions}",
        url=initiative.get_absolute_url(),
    )


def save_minutes(form, *, actor):
    """Save a meeting's date, place, minutes and new documents, all or nothing."""
    require_secretariat(actor, "この操作を行う権限がありません。")
    fields = ["held_on", "place", "minutes"]
    with stored_uploads() as uploads, transaction.atomic():
        before = audit.snapshot(Meeting.objects.get(pk=form.instance.pk), fields)
        recorded = AgendaItem.objects.filter(meeting=form.instance).filter(
            Q(opinion__isnull=False) | Q(decision__isnull=False)
        )
        if form.instance.held_on > timezone.localdate() and recorded.exists():
            raise ReviewError("意見・提言や決定を記録した会議の開催日は、今日より後にできません。")
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
