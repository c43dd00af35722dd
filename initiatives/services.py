"""Every write to an initiative goes through here: one transaction each, audited."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from . import notifications, workflow
from .models import Attachment, Initiative, SelfCheckAnswer, Transition
from .uploads import stored_uploads

S = Initiative.Status


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


@transaction.atomic
def transition(initiative, *, to, actor, comment="", expected_status=None, data=None, changes=None):
    """Move an initiative to `to` if the table allows it for this actor; write the audit event.

    `expected_status` is the state the actor saw: if the item has moved since, the transition is
    refused, so of two people acting at once exactly one wins. `changes` are other fields saved
    with the state (e.g. `consolidated_into`), `data` what the audit event records besides.
    """
    locked = _lock(initiative)
    source = locked.status
    if expected_status is not None and source != expected_status:
        raise TransitionError(
            f"この取組項目は既に「{S(source).label}」になっています。画面を更新して確認してください。"
        )
    rule = workflow.rule_for(source, to)
    if rule is None:
        raise TransitionError(f"「{S(source).label}」から「{S(to).label}」へは変更できません。")
    if not workflow.is_actor(actor, locked, rule.actors):
        raise PermissionDenied("この操作を行う権限がありません。")
    comment = (comment or "").strip()
    if rule.comment_required and not comment:
        raise TransitionError("この操作にはコメント（理由）の入力が必要です。")

    locked.status = to
    locked.version += 1
    fields = ["status", "version", "updated_at"]
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    # Leaving the draft (other than by withdrawal) shares the item: it keeps that moment.
    if locked.submitted_at is None and to not in (S.DRAFT, S.WITHDRAWN):
        locked.submitted_at = timezone.now()
        fields.append("submitted_at")
    locked._history_user = actor
    locked.save(update_fields=fields)
    event = Transition.objects.create(
        initiative=locked,
        actor=actor,
        actor_name=actor.display_name,
        from_status=source,
        to_status=to,
        comment=comment,
        data=data or {},
    )
    # Keep the caller's object in step with the database.
    initiative.status, initiative.version = locked.status, locked.version
    initiative.submitted_at = locked.submitted_at
    return event


def submission_problems(initiative) -> list[tuple[str, str]]:
    """Everything missing before an initiative can be submitted, all at once (a few queries)."""
    problems = []
    required = [
        ("title", "取組名"),
        ("policy", "基本方針"),
        ("current_issues", "現状と課題"),
        ("content", "取組内容"),
        ("effect_citizens", "市民への効果"),
        ("effect_staff", "職員への効果"),
        ("staff_hours_saved", "削減できる職員の作業時間"),
        ("small_start_plan", "スモールスタートと軌道修正の計画"),
        ("initial_cost", "概算費用（初期）"),
        ("running_cost", "概算費用（運用・年額）"),
        ("security", "セキュリティ上の考慮"),
    ]
    for name, label in required:
        value = getattr(initiative, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append((name, f"{label}を入力してください。"))
    if not initiative.funding_sources:
        problems.append(("funding_sources", "財源を1つ以上選んでください。"))
    if not initiative.affected_departments.exists():
        problems.append(("affected_departments", "影響する部署を1つ以上選んでください。"))
    if not initiative.milestones.exists():
        problems.append(
            ("milestones", "スケジュールを1件以上入力してください（予算措置から運用開始まで）。")
        )
    checklist = initiative.edition.current_checklist()
    if checklist is not None:
        answered = set(
            initiative.self_check.filter(item__checklist=checklist).values_list(
                "item__number", flat=True
            )
        )
        missing = [n for n in checklist.items.values_list("number", flat=True) if n not in answered]
        if missing:
            numbers = "、".join(str(n) for n in missing)
            problems.append(("self_check", f"自己チェックの項目{numbers}に回答してください。"))
    return problems


@transaction.atomic
def submit(initiative, *, actor, expected_status=None):
    locked = _lock(initiative)
    if workflow.rule_for(locked.status, S.SUBMITTED) is not None:
        problems = submission_problems(locked)
        if problems:
            raise SubmissionIncomplete(problems)
    resubmitted = locked.status == S.RETURNED
    event = transition(initiative, to=S.SUBMITTED, actor=actor, expected_status=expected_status)
    notifications.notify(
        notifications.info_policy_staff(),
        f"{'再提出' if resubmitted else '提出'}: {locked.title}",
        f"{locked.department.full_name}の{actor.display_name}さんが取組項目（案）を"
        f"{'再提出' if resubmitted else '提出'}しました。\n\n{locked.title}\n{notifications.link(locked)}\n",
    )
    return event


def _conflict(initiative, expected_version) -> EditConflict:
    """Describe what was saved since `expected_version`, from the change history."""
    records = list(
        initiative.history.filter(version__gte=expected_version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if not records:
        return EditConflict(editor="他の利用者", saved_at=None)
    first, last = records[0], records[-1]
    changes = []
    if first is not last:
        labels = {
            f.name: str(f.verbose_name)
            for f in Initiative._meta.get_fields()
            if hasattr(f, "verbose_name")
        }
        delta = last.diff_against(first, excluded_fields=["version", "status", "submitted_at"])
        for change in delta.changes:
            changes.append(
                (labels.get(change.field, change.field), _show(change.old), _show(change.new))
            )
    editor = last.history_user.display_name if last.history_user else "他の利用者"
    return EditConflict(editor=editor, saved_at=last.history_date, changes=changes)


def _show(value) -> str:
    if value in (None, "", []):
        return "（空欄）"
    if isinstance(value, list):  # m2m history rows
        return f"{len(value)}件"
    text = str(value)
    return text if len(text) <= 80 else text[:80] + "…"


def save_proposal(*, form, milestones, cases, self_check, files, actor, expected_version=None):
    """Save a proposal and everything hanging off it, all or nothing.

    `form` is a bound, valid InitiativeForm; `milestones` and `cases` valid inline formsets;
    `self_check` a valid SelfCheckForm; `files` validated uploads. For an existing initiative,
    `expected_version` is the version the user's form was opened at: if someone has saved
    since, EditConflict is raised and nothing is written.
    """
    with stored_uploads() as uploads, transaction.atomic():
        initiative = form.instance
        if initiative.pk:
            locked = _lock(initiative)
            if expected_version is not None and locked.version != expected_version:
                raise _conflict(locked, expected_version)
            if locked.status not in workflow.EDITABLE or not workflow.is_actor(
                actor, locked, workflow.OWNERS
            ):
                raise PermissionDenied("この取組項目は編集できない状態です。")
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
        for upload in files:
            uploads.store(Attachment(initiative=initiative), upload, actor)
        return initiative


@transaction.atomic
def delete_attachment(attachment, *, actor):
    initiative = _lock(attachment.initiative)
    if initiative.status not in workflow.EDITABLE or not workflow.is_actor(
        actor, initiative, workflow.OWNERS
    ):
        raise PermissionDenied("添付ファイルを削除できません。")
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: Attachment.file.field.storage.delete(name))


def save_self_check(initiative, answers):
    """Replace the self-check answers: {ChecklistItem: (answer, note)}; unanswered items drop."""
    keep = []
    for item, (answer, note) in answers.items():
        if not answer:
            continue
        SelfCheckAnswer.objects.update_or_create(
            initiative=initiative, item=item, defaults={"answer": answer, "note": note}
        )
        keep.append(item.pk)
    initiative.self_check.exclude(item_id__in=keep).delete()
