"""April reorganisations of 所属: renaming keeps the history of the old name; retiring a 所属
moves its initiatives, plan entries and (optionally) its accounts to the successor, with a
record of what moved. Nothing is deleted."""

from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_update_with_history

from policies.models import Department

from .models import Initiative, OwnershipTransfer, PlanEntry


class ReorganisationError(Exception):
    pass


@transaction.atomic
def rename(department, *, actor, name):
    name = (name or "").strip()
    if not name:
        raise ReorganisationError("新しい名称を入力してください。")
    department = Department.objects.select_for_update().get(pk=department.pk)
    department.name = name
    department._history_user = actor
    department.save(update_fields=["name"])
    return department


@transaction.atomic
def retire(department, *, actor, successor, reason, move_users=False):
    """Deactivate `department`, handing its initiatives and plan entries to `successor`."""
    if not (reason or "").strip():
        raise ReorganisationError("理由を入力してください。")
    department = Department.objects.select_for_update().get(pk=department.pk)
    if successor.pk == department.pk or not successor.is_active:
        raise ReorganisationError("移管先には、有効な別の所属を指定してください。")
    if department.children.filter(is_active=True).exists():
        raise ReorganisationError(
            "有効な課がある部は廃止できません。先に課を移管・廃止してください。"
        )
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
    entries = list(PlanEntry.objects.select_for_update().filter(owner=department).order_by("pk"))
    for entry in entries:
        entry.owner = successor
    PlanEntry.objects.bulk_update(entries, ["owner"])
    users = []
    if move_users:
        users = list(get_user_model().objects.filter(department=department))
        for user in users:
            user.department = successor
        get_user_model().objects.bulk_update(users, ["department"])
    elif department.members.filter(is_active=True).exists():
        raise ReorganisationError(
            "この所属に有効なアカウントがあります。アカウントも異動させるか、先に所属を変更してください。"
        )
    department.is_active = False
    department._history_user = actor
    department.save(update_fields=["is_active"])
    return OwnershipTransfer.objects.create(
        source=department,
        target=successor,
        reason=reason.strip(),
        actor=actor,
        initiative_ids=[i.pk for i in initiatives],
        entry_ids=[e.pk for e in entries],
        user_ids=[u.pk for u in users],
    )
