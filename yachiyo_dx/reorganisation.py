"""April reorganisations of 所属: renaming keeps the history of the old name; retiring a 所属
hands its initiatives, plan entries and (optionally) its accounts to the successor, each move
audited. Nothing is deleted. It touches proposals and plans alike, so it lives here, above
both."""

from django.contrib.auth import get_user_model
from django.db import transaction

from core import audit
from initiatives import services as initiative_services
from plans import services as plan_services
from policies.models import Department

audit.register(
    {
        "department.renamed": "所属の名称変更",
        "department.retired": "所属の廃止と移管",
        "user.department": "アカウントの異動",
    }
)


class ReorganisationError(Exception):
    pass


@transaction.atomic
def rename(department, *, actor, name):
    name = (name or "").strip()
    if not name:
        raise ReorganisationError("新しい名称を入力してください。")
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = {"name": department.name}
    department.name = name
    department._history_user = actor
    department.save(update_fields=["name"])
    audit.record(
        actor=actor,
        action="department.renamed",
        obj=department,
        before=before,
        after={"name": name},
    )
    return department


def _check_retirement(department, successor, reason, move_users):
    if not (reason or "").strip():
        raise ReorganisationError("理由を入力してください。")
    if successor.pk == department.pk or not successor.is_active:
        raise ReorganisationError("移管先には、有効な別の所属を指定してください。")
    if department.children.filter(is_active=True).exists():
        raise ReorganisationError(
            "有効な課がある部は廃止できません。先に課を移管・廃止してください。"
        )
    if not move_users and department.members.filter(is_active=True).exists():
        raise ReorganisationError(
            "この所属に有効なアカウントがあります。アカウントも異動させるか、先に所属を変更してください。"
        )


@transaction.atomic
def retire(department, *, actor, successor, reason, move_users=False):
    """Deactivate `department`, handing its initiatives and plan entries to `successor`.

    Returns the audit event of the retirement, whose context lists what moved."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    _check_retirement(department, successor, reason, move_users)
    reason = reason.strip()
    initiative_ids = initiative_services.transfer_department(
        department, successor=successor, actor=actor, reason=reason
    )
    entry_ids = plan_services.transfer_owner(
        department, successor=successor, actor=actor, reason=reason
    )
    users = list(get_user_model().objects.filter(department=department)) if move_users else []
    for user in users:
        user.department = successor
        audit.record(
            actor=actor,
            action="user.department",
            obj=user,
            before={"department": department.pk},
            after={"department": successor.pk},
            comment=reason,
        )
    get_user_model().objects.bulk_update(users, ["department"])
    department.is_active = False
    department._history_user = actor
    department.save(update_fields=["is_active"])
    return audit.record(
        actor=actor,
        action="department.retired",
        obj=department,
        before={"is_active": True},
        after={"is_active": False, "successor": successor.pk},
        context={
            "initiatives": initiative_ids,
            "plan_entries": entry_ids,
            "users": [u.pk for u in users],
        },
        comment=reason,
    )
