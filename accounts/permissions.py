import functools

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied

from policies.names import city

from . import roles

# What the 管理者 role edits in the admin: every record of these apps, and of these models
# (app_label, model) the permissions named. Accounts: create and change them and give them
# their roles (the admin refuses making a superuser); the audit log: read it.
MASTER_DATA_APPS = ("policies",)
ADMIN_MODELS = {
    ("plans", "implementationplan"): ("add", "change", "delete", "view"),
    ("plans", "reportschedule"): ("add", "change", "delete", "view"),
    ("accounts", "user"): ("add", "change", "view"),
    ("auth", "group"): ("view",),
    ("core", "auditevent"): ("view",),
}


def admin_permissions():
    perms = Permission.objects.filter(content_type__app_label__in=MASTER_DATA_APPS)
    for (app_label, model), actions in ADMIN_MODELS.items():
        perms |= Permission.objects.filter(
            content_type__app_label=app_label,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    return perms


def grant_admin_permissions(**kwargs):
    """Give the 管理者 role its permissions (idempotent).

    Connected to post_migrate for every app: Django creates each app's permissions when that
    app's post_migrate runs, so only after the last app are they all there, and one migrate
    from an empty database leaves the role complete. The role itself is made here too, so that
    it survives a `flush` (which empties the tables a data migration filled).
    """
    using = kwargs.get("using", "default")
    group, _ = Group.objects.using(using).get_or_create(name=roles.ADMIN_GROUP)
    group.permissions.add(*admin_permissions().using(using))


def require_secretariat(user, message=None):
    """Refuse (403) anyone but the secretariat; the one guard every app's views and services use."""
    if not user.is_authenticated or not user.is_secretariat:
        raise PermissionDenied(message or f"この操作は{city().secretariat}だけが行えます。")


def require(allowed: bool, message="この操作を行う権限がありません。"):
    """Refuse (403) unless `allowed`: `require(user.may_record_opinions)`."""
    if not allowed:
        raise PermissionDenied(message)


def staff_required(view):
    """The view is for the city's own staff (login required; external members get 403)."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.is_external:
            raise PermissionDenied(
                "このページは市の職員向けです。委員の方は、所属する会議体の会議のページをご覧ください。"
            )
        return view(request, *args, **kwargs)

    return wrapper
