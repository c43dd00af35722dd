"""Every write to an initiative goes through here: one transaction each, audited.

Other apps change an initiative only by calling these functions: the reviews app to
consolidate, the plans app to create a continuing item, the reorganisation to hand items to a
successor department. Each writes its audit event through `core.audit.record`.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.uploads import stored_uploads

from . import notifications, similarity_index, workflow
from .consolidation import awaiting_undo
from .history import conflict_since
from .models import Attachment, Initiative, SelfCheckAnswer
from .submission import submission_problems

S = Initiative.Status

audit.register(
    {
        "initiative.created": "取組項目の作成",
        "initiative.saved": "取組項目の編集",
        "initiative.transition": "取組項目の状態遷移",
        "initiative.rewritten": "取りまとめによる内容の更新",
        "initiative.department": "提案部署の移管",
        "attachment.deleted": "添付ファイルの削除",
    }
)


class TransitionError(Exception):
    """A transition the table or the item's current state does not allow; message in Japanese."""


@dataclass
class SubmissionIncomplete(Exception):
    problems: list[tuple[str, str]]  # (field name or "", message)


@dataclass
class EditConflict(Exception):
    """Someone saved the initiative since this user opened the form."""

    editor: str
    saved_at: object
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)


def _lock(initiative) -> Initiative:
    # select_for_update locks the row on PostgreSQL; SQLite's IMMEDIATE transactions already
    # serialise writers.
    return Initiative.objects.select_for_update().get(pk=initiative.pk)


# Scalar fields of a proposal, as the audit log records them (relations by id).
_SCALAR_FIELDS = [
    f.name
    for f in Initiative._meta.concrete_fields
    if f.name not in ("id", "created_at", "updated_at")
]


def _values(initiative) -> dict:
    """Everything a proposal says, for the audit log: fields, departments, examples and what
    hangs off it (a few queries)."""
    values = audit.snapshot(initiative, _SCALAR_FIELDS)
    values["affected_departments"] = sorted(
        initiative.affected_departments.values_list("pk", flat=True)
    )
    values["examples"] = sorted(initiative.examples.values_list("pk", flat=True))
    values["milestones"] = [
        [m.get_kind_display(), m.label, audit.value(m.target_date), m.target_fiscal_year]
        for m in initiative.milestones.all()
    ]
    values["case_studies"] = [[c.name, c.url] for c in initiative.case_studies.all()]
    values["self_check"] = {
        str(a.item.number): a.answer for a in initiative.self_check.select_related("item")
    }
    return values


def _check_rule(locked, to, actor, comment, expected_status, service):
    """Refuse a transition the table does not allow this actor, from here, this way."""
    source = locked.status
    if expected_status is not None and source != expected_status:
        raise TransitionError(
            f"この取組項目は既に「{workflow.status_label(source)}」になっています。画面を更新して確認してください。"
        )
    rules = workflow.rules_for(source, to)
    if not rules:
        raise TransitionError(
            f"「{workflow.status_label(source)}」から「{workflow.status_label(to)}」へは変更できません。"
        )
    rule = workflow.rule_for(source, to, service)
    if rule is None:
        raise TransitionError(f"「{rules[0].label}」は、そのための画面から操作してください。")
    if not workflow.is_actor(actor, locked, rule.actors):
        raise PermissionDenied("この操作を行う権限がありません。")
    if rule.comment_required and not comment:
        raise TransitionError("この操作にはコメント（理由）の入力が必要です。")


@transaction.atomic
def transition(
    initiative,
    *,
    to,
    actor,
    comment="",
    expected_status=None,
    context=None,
    changes=None,
    service="",
):
    """Move an initiative to `to` if the table allows it for this actor; audit it.

    `expected_status` is the state the actor saw: if the item has moved since, the transition is
    refused, so of two people acting at once exactly one wins. `changes` are other fields saved
    with the state (e.g. `consolidated_into`), `context` the records the change points to.
    A rule that names a service is taken only by that service (`service=`).
    """
    locked = _lock(initiative)
    source = locked.status
    comment = (comment or "").strip()
    _check_rule(locked, to, actor, comment, expected_status, service)
    changes = dict(changes or {})
    before = {"status": source, **audit.snapshot(locked, changes)}
    locked.status = to
    locked.version += 1
    fields = ["status", "version", "updated_at"]
    for name, value in changes.items():
        setattr(locked, name, value)
        fields.append(name)
    # Leaving the draft (other than by withdrawal) shares the item: it keeps that moment.
    if locked.submitted_at is None and to not in (S.DRAFT, S.WITHDRAWN):
        locked.submitted_at = timezone.now()
        fields.append("submitted_at")
    locked._history_user = actor
    locked.save(update_fields=fields)
    # Submitted, it joins the pool of similar proposals; withdrawn or merged, it leaves it.
    similarity_index.refresh(locked)
    event = audit.record(
        actor=actor,
        action="initiative.transition",
        obj=locked,
        before=before,
        after={"status": to, **audit.snapshot(locked, changes)},
        context=context,
        comment=comment,
    )
    # Keep the caller's object in step with the database.
    initiative.status, initiative.version = locked.status, locked.version
    initiative.submitted_at = locked.submitted_at
    for name, value in changes.items():
        setattr(initiative, name, value)
    return event


@transaction.atomic
def submit(initiative, *, actor, expected_status=None):
    locked = _lock(initiative)
    if workflow.rule_for(locked.status, S.SUBMITTED, "submit") is not None:
        problems = submission_problems(locked)
        if problems:
            raise SubmissionIncomplete(problems)
    resubmitted = locked.status == S.RETURNED
    event = transition(
        initiative, to=S.SUBMITTED, actor=actor, expected_status=expected_status, service="submit"
    )
    verb = "再提出" if resubmitted else "提出"
    notifications.notify(
        notifications.secretariat_staff(),
        f"{verb}: {locked.title}",
        f"{locked.department.full_name}の{actor.display_name}さんが取組項目（案）を{verb}しました。"
        f"\n\n{locked.title}",
        url=reverse("reviews:review", args=[locked.pk]),
    )
    return event


@transaction.atomic
def withdraw(initiative, *, actor, comment="", expected_status=None):
    if awaiting_undo(_lock(initiative)):
        raise TransitionError(
            "統合でできた取組項目は、審査を開始する前なら「統合を取り消す」で元の提案に戻してください。"
        )
    return transition(
        initiative,
        to=S.WITHDRAWN,
        actor=actor,
        comment=comment,
        expected_status=expected_status,
        service="withdraw",
    )


def save_proposal(*, form, milestones, cases, self_check, files, actor, expected_version=None):
    """Save a proposal and everything hanging off it, all or nothing.

    `form` is a bound, valid InitiativeForm; `milestones` and `cases` valid inline formsets;
    `self_check` a valid SelfCheckForm; `files` validated uploads. For an existing initiative,
    `expected_version` is the version the user's form was opened at: if someone has saved
    since, EditConflict is raised and nothing is written.
    """
    with stored_uploads() as uploads, transaction.atomic():
        initiative = form.instance
        created = not initiative.pk
        before = {}
        if not created:
            locked = _lock(initiative)
            if expected_version is not None and locked.version != expected_version:
                raise EditConflict(**conflict_since(locked, expected_version))
            if locked.status not in workflow.EDITABLE or not workflow.is_actor(
                actor, locked, workflow.OWNERS
            ):
                raise PermissionDenied("この取組項目は編集できない状態です。")
            before = _values(locked)
            initiative.version = locked.version + 1
        initiative._history_user = actor
        initiative = form.save()
        milestones.instance = cases.instance = initiative
        for i, m in enumerate(milestones.save(commit=False)):
            m.order = i
            m.save()
        for m in milestones.deleted_objects:
            m.delete()
        cases.save()
        self_check.save(initiative)
        stored = [uploads.store(Attachment(initiative=initiative), f, actor) for f in files]
        old, new = audit.changed(before, _values(initiative))
        if stored:
            new["attachments"] = [a.original_name for a in stored]
        # A returned proposal is still in the pool: its new words replace the old.
        similarity_index.refresh(initiative)
        audit.record(
            actor=actor,
            action="initiative.created" if created else "initiative.saved",
            obj=initiative,
            before=old,
            after=new,
        )
        return initiative


@transaction.atomic
def delete_attachment(attachment, *, actor):
    initiative = _lock(attachment.initiative)
    if initiative.status not in workflow.EDITABLE or not workflow.is_actor(
        actor, initiative, workflow.OWNERS
    ):
        raise PermissionDenied("添付ファイルを削除できません。")
    name = attachment.file.name
    audit.record(
        actor=actor,
        action="attachment.deleted",
        obj=initiative,
        before={"attachment": attachment.original_name, "file": name},
    )
    attachment.delete()
    transaction.on_commit(lambda: Attachment.file.field.storage.delete(name))


def save_self_check(initiative, answers):
    """Replace the self-check answers: {ChecklistItem: (answer, note)}; unanswered items drop.
    Part of save_proposal's transaction (which audits it), never called alone."""
    keep = []
    for item, (answer, note) in answers.items():
        if not answer:
            continue
        SelfCheckAnswer.objects.update_or_create(
            initiative=initiative, item=item, defaults={"answer": answer, "note": note}
        )
        keep.append(item.pk)
    initiative.self_check.exclude(item_id__in=keep).delete()


@transaction.atomic
def create_initiative(*, actor, edition, channel, department, values, proposer=None):
    """A new initiative that did not come through the proposal form: the result of a
    consolidation, or an item of the former plan registered by the secretariat. A draft, audited."""
    m2m = {k: values.pop(k) for k in ("affected_departments", "examples") if k in values}
    initiative = Initiative(
        edition=edition,
        channel=channel,
        department=department,
        proposer=proposer or actor,
        **values,
    )
    initiative._history_user = actor
    initiative.save()
    for name, objects in m2m.items():
        getattr(initiative, name).set(objects)
    audit.record(
        actor=actor, action="initiative.created", obj=initiative, after=_values(initiative)
    )
    return initiative


@transaction.atomic
def rewrite(initiative, *, actor, values, add=None, comment=""):
    """Overwrite fields of an initiative in review (consolidation's result takes the chosen
    original's content) and add departments or examples (`add`: {m2m name: objects})."""
    locked = _lock(initiative)
    if locked.status not in workflow.REVIEWABLE:
        raise TransitionError(f"「{locked.get_status_display()}」の取組項目は書き換えられません。")
    before = _values(locked)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked._history_user = actor
    locked.save()
    similarity_index.refresh(locked)
    for name, objects in (add or {}).items():
        getattr(locked, name).add(*objects)
    old, new = audit.changed(before, _values(locked))
    audit.record(
        actor=actor,
        action="initiative.rewritten",
        obj=locked,
        before=old,
        after=new,
        comment=comment,
    )
    initiative.refresh_from_db()
    return locked


@transaction.atomic
def transfer_department(department, *, successor, actor, reason):
    """Hand every initiative proposed by `department` to `successor` (an April
    reorganisation); each keeps its history and gets an audit event. Returns their ids."""
    from simple_history.utils import bulk_update_with_history

    initiatives = list(
        Initiative.objects.select_for_update().filter(department=department).order_by("pk")
    )
    for initiative in initiatives:
        initiative.department = successor
        initiative.version += 1
    bulk_update_with_history(
        initiatives,
        Initiative,
        ["department", "version"],
        default_user=actor,
        default_change_reason=f"組織改正: {department.full_name} → {successor.full_name}",
    )
    for initiative in initiatives:
        audit.record(
            actor=actor,
            action="initiative.department",
            obj=initiative,
            before={"department": department.pk},
            after={"department": successor.pk},
            comment=reason,
        )
    _transfer_co_proposals(department, successor, actor, reason)
    return [i.pk for i in initiatives]


def _transfer_co_proposals(department, successor, actor, reason):
    """Ideas the department co-proposes pass to the successor too (once, and never as a
    co-proposer of its own item)."""
    through = Initiative.co_departments.through
    rows = through.objects.filter(department=department).select_related("initiative")
    moved = [r.initiative for r in rows]
    rows.delete()
    through.objects.bulk_create(
        [
            through(initiative=i, department=successor)
            for i in moved
            if i.department_id != successor.pk
        ],
        ignore_conflicts=True,
    )
    # The successor may already lead an item it co-proposed: it is named once, as the lead.
    through.objects.filter(department=successor, initiative__department=successor).delete()
    for initiative in moved:
        audit.record(
            actor=actor,
            action="initiative.department",
            obj=initiative,
            before={"co_department": department.pk},
            after={"co_department": successor.pk},
            comment=reason,
        )
