"""Who sits where, as the master-data file lists it: the secretariat's members and each
body's. Accounts are matched by user name; a name without an account is a problem of the file
(nothing is written). Memberships listed are added; none is taken away."""

from django.db import transaction

from policies.masterdata import MasterDataError
from policies.models import Body

from .models import User


@transaction.atomic
def load(data) -> int:
    """Add the memberships the parsed file lists; return how many were added."""
    wanted = [("secretariat", None, data["secretariat"]["members"])]
    wanted += [(f"bodies[{i}]", b["code"], b["members"]) for i, b in enumerate(data["bodies"])]
    users = User.objects.in_bulk(
        [name for _, _, names in wanted for name in names], field_name="username"
    )
    problems, added = [], 0
    for where, code, names in wanted:
        body = Body.objects.get(code=code) if code else None
        for j, name in enumerate(names):
            user = users.get(name)
            if user is None:
                problems.append(f"{where}.members[{j}]: アカウント「{name}」がありません")
            elif body is None and not user.in_secretariat:
                user.in_secretariat = True
                user.save(update_fields=["in_secretariat"])
                added += 1
            elif body is not None and not user.bodies.filter(pk=body.pk).exists():
                user.bodies.add(body)
                added += 1
    if problems:
        raise MasterDataError(problems)
    return added
