from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied

from . import roles

# The apps whose records the 管理者 role edits in the admin.
MASTER_DATA_APPS = ("policies",)


def grant_admin_permissions(**kwargs):
    """Give the 管理者 role every permission on master data.

    Runs after migrate, because permissions only exist once every app has migrated.
    """
    group = Group.objects.filter(name=roles.ADMIN).first()
    if group is None:
        return
    perms = Permission.objects.filter(
        content_type__app_label__in=MASTER_DATA_APPS
    ) | Permission.objects.filter(
        content_type__app_label="initiatives",
        content_type__model__in=["implementationplan", "reportschedule"],
    )
    group.permissions.add(*perms)


def require_secretariat(user, message="この操作は情報政策課だけが行えます。"):
    """Refuse (403) anyone but the secretariat; the one guard every app's views and services use."""
    if not user.is_authenticated or not user.is_secretariat:
        raise PermissionDenied(message)


def require(allowed: bool, message="この操作を行う権限がありません。"):
    """Refuse (403) unless `allowed`: `require(user.may_record_opinions)`."""
    if not allowed:
        raise PermissionDenied(message)
