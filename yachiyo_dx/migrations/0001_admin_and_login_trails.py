"""The admin's change log and the refused logins join the one audit log, as the hooks in
yachiyo_dx.audit_hooks write them from now on. Their own tables stay (Django's and
django-axes'); going back removes only the copies."""

from django.db import migrations

ADMIN = {1: "admin.addition", 2: "admin.change", 3: "admin.deletion"}


def _name(user):
    return (f"{user.last_name} {user.first_name}".strip() or user.username)[:150]


def gather(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    LogEntry = apps.get_model("admin", "LogEntry")
    AccessFailureLog = apps.get_model("axes", "AccessFailureLog")
    events = [
        AuditEvent(
            actor_id=log.user_id,
            actor_name=_name(log.user),
            action=ADMIN.get(log.action_flag, "admin.change"),
            content_type_id=log.content_type_id,
            object_id=int(log.object_id) if str(log.object_id or "").isdigit() else None,
            object_repr=log.object_repr[:200],
            after={"変更内容": log.change_message} if log.change_message else {},
            created_at=log.action_time,
        )
        for log in LogEntry.objects.select_related("user").order_by("pk").iterator()
    ]
    events += [
        AuditEvent(
            actor_name=(f.username or "（不明）")[:150],
            action="login.failed",
            context={"ip": f.ip_address or "", "username": (f.username or "")[:150]},
            created_at=f.attempt_time,
        )
        for f in AccessFailureLog.objects.order_by("pk").iterator()
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def forget(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditEvent.objects.filter(action__in=[*ADMIN.values(), "login.failed"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("axes", "0008_accessfailurelog"),
    ]

    operations = [migrations.RunPython(gather, forget)]
