"""The audit trails of state changes, report reviews and reorganisation transfers move into the
one audit log (core.AuditEvent); their three tables go.

Forward, every Transition, ReportEvent and OwnershipTransfer row becomes an AuditEvent with
the same actor, time and comment. Backward, the tables come back and are filled again from
those events (including events written since), which then leave the log, so that going
forward again neither loses nor doubles anything.
"""

from django.db import migrations

TRANSITION = "initiative.transition"
REPORT_TRANSITION = "report.transition"
RETIRED = "department.retired"
PERIODS = {"year": "通年", "h1": "上半期", "h2": "下半期"}


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def _name(user):
    return (f"{user.last_name} {user.first_name}".strip() or user.username)[:150]


def gather(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    Transition = apps.get_model("initiatives", "Transition")
    ReportEvent = apps.get_model("initiatives", "ReportEvent")
    OwnershipTransfer = apps.get_model("initiatives", "OwnershipTransfer")
    events = []
    if Transition.objects.exists():
        ct = _content_type(apps, "initiatives", "initiative")
        for t in Transition.objects.select_related("initiative").order_by("pk").iterator():
            events.append(
                AuditEvent(
                    actor_id=t.actor_id,
                    actor_name=t.actor_name,
                    action=TRANSITION,
                    content_type=ct,
                    object_id=t.initiative_id,
                    object_repr=t.initiative.title[:200],
                    before={"status": t.from_status},
                    after={"status": t.to_status},
                    context=t.data or {},
                    comment=t.comment,
                    created_at=t.created_at,
                )
            )
    if ReportEvent.objects.exists():
        ct = _content_type(apps, "initiatives", "progressreport")
        for e in ReportEvent.objects.select_related("report__entry__initiative").order_by("pk"):
            report = e.report
            events.append(
                AuditEvent(
                    actor_id=e.actor_id,
                    actor_name=e.actor_name,
                    action=REPORT_TRANSITION,
                    content_type=ct,
                    object_id=e.report_id,
                    object_repr=(
                        f"{report.entry.initiative.title} {report.fiscal_year}年度 "
                        f"{PERIODS.get(report.period, report.period)}"
                    )[:200],
                    before={"status": e.from_status},
                    after={"status": e.to_status},
                    comment=e.comment,
                    created_at=e.created_at,
                )
            )
    if OwnershipTransfer.objects.exists():
        ct = _content_type(apps, "policies", "department")
        for m in OwnershipTransfer.objects.select_related("source", "actor").order_by("pk"):
            events.append(
                AuditEvent(
                    actor_id=m.actor_id,
                    actor_name=_name(m.actor),
                    action=RETIRED,
                    content_type=ct,
                    object_id=m.source_id,
                    object_repr=m.source.name[:200],
                    before={"is_active": True},
                    after={"is_active": False, "successor": m.target_id},
                    context={
                        "initiatives": m.initiative_ids,
                        "plan_entries": m.entry_ids,
                        "users": m.user_ids,
                    },
                    comment=m.reason,
                    created_at=m.created_at,
                )
            )
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def scatter(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Transition = apps.get_model("initiatives", "Transition")
    ReportEvent = apps.get_model("initiatives", "ReportEvent")
    OwnershipTransfer = apps.get_model("initiatives", "OwnershipTransfer")
    # The rows put back keep their own times, not today's (these models are this migration's).
    for model in (Transition, ReportEvent, OwnershipTransfer):
        model._meta.get_field("created_at").auto_now_add = False

    def of(action, app_label, model):
        ct = ContentType.objects.filter(app_label=app_label, model=model).first()
        if ct is None:
            return AuditEvent.objects.none()
        return AuditEvent.objects.filter(action=action, content_type=ct).order_by(
            "created_at", "pk"
        )

    transitions = of(TRANSITION, "initiatives", "initiative")
    Transition.objects.bulk_create(
        Transition(
            initiative_id=e.object_id,
            actor_id=e.actor_id,
            actor_name=e.actor_name,
            from_status=e.before.get("status", ""),
            to_status=e.after.get("status", ""),
            comment=e.comment,
            data=e.context,
            created_at=e.created_at,
        )
        for e in transitions
    )
    reports = of(REPORT_TRANSITION, "initiatives", "progressreport")
    ReportEvent.objects.bulk_create(
        ReportEvent(
            report_id=e.object_id,
            actor_id=e.actor_id,
            actor_name=e.actor_name,
            from_status=e.before.get("status", ""),
            to_status=e.after.get("status", ""),
            comment=e.comment,
            created_at=e.created_at,
        )
        for e in reports
    )
    # A transfer needs its actor; an event whose account was deleted cannot go back.
    retired = of(RETIRED, "policies", "department").filter(actor__isnull=False)
    OwnershipTransfer.objects.bulk_create(
        OwnershipTransfer(
            source_id=e.object_id,
            target_id=e.after.get("successor"),
            reason=e.comment,
            initiative_ids=e.context.get("initiatives", []),
            entry_ids=e.context.get("plan_entries", []),
            user_ids=e.context.get("users", []),
            actor_id=e.actor_id,
            created_at=e.created_at,
        )
        for e in retired
    )
    for queryset in (transitions, reports, retired):
        queryset.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0004_ownershiptransfer_reportreminder_reminder_once_a_day_and_more"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(gather, scatter),
        migrations.DeleteModel(name="Transition"),
        migrations.DeleteModel(name="ReportEvent"),
        migrations.DeleteModel(name="OwnershipTransfer"),
    ]
