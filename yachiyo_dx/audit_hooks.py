"""Changes made through Django's own screens (the admin) and refused logins, in the audit log.

Django reports both only by signals: the admin writes a LogEntry for every change it makes,
and authentication sends user_login_failed. Each handler turns one into an audit event."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.db import transaction

from core import audit
from core.models import AuditEvent

from .observability import client_ip

ACTIONS = {ADDITION: "admin.addition", CHANGE: "admin.change", DELETION: "admin.deletion"}
audit.register(
    {
        "admin.addition": "管理画面での追加",
        "admin.change": "管理画面での変更",
        "admin.deletion": "管理画面での削除",
        "login.failed": "ログイン失敗",
    }
)


def admin_change(sender, instance, created, **kwargs):
    if not created:
        return
    object_id = str(instance.object_id or "")
    with transaction.atomic():
        AuditEvent.objects.create(
            actor=instance.user,
            actor_name=instance.user.display_name[:150],
            action=ACTIONS.get(instance.action_flag, "admin.change"),
            content_type_id=instance.content_type_id,
            object_id=int(object_id) if object_id.isdigit() else None,
            object_repr=instance.object_repr[:200],
            after={"変更内容": instance.get_change_message()} if instance.change_message else {},
            created_at=instance.action_time,
        )


def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    with transaction.atomic():
        audit.record(
            actor=None,
            actor_name=username[:150] or "（不明）",
            action="login.failed",
            context={
                "ip": client_ip(request) if request is not None else "",
                "username": username[:150],
            },
        )
