"""The one way a change is audited: `record(...)` inside the transaction that makes it.

Every service that changes state calls `record` once per change, with the acting user, an
action code ("initiative.transition"), the object, what its values were and became, and the
comment the user gave. Each app registers the Japanese labels of its action codes
(`register`), so that the export and the timelines can name them.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db import models, transaction

from .models import AuditEvent

_LABELS: dict[str, str] = {}


def register(labels: dict[str, str]):
    """Name action codes for people: {"initiative.transition": "取組項目の状態遷移"}."""
    _LABELS.update(labels)


def action_label(action: str) -> str:
    return _LABELS.get(action, action)


def value(v):
    """A value as the log keeps it: ids for records, text for decimals and dates."""
    if isinstance(v, models.Model):
        return v.pk
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, datetime.date | datetime.datetime):
        return v.isoformat()
    if isinstance(v, list | tuple | set | frozenset):
        return [value(x) for x in v]
    return v


def snapshot(instance, fields) -> dict:
    """{field: value} of `instance` for `fields`; a foreign key by its id (no query)."""
    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            raise ValueError(f"{name}: pass many-to-many values explicitly")
        out[name] = value(getattr(instance, field.attname))
    return out


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    *, actor, action, obj=None, before=None, after=None, context=None, comment="", actor_name=""
) -> AuditEvent:
    """Write one audit event in the current transaction (refused outside one: an audit row
    must stand or fall with the change it describes)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record runs inside the transaction of the change it records")
    name = actor_name or (getattr(actor, "display_name", "") if actor is not None else "")
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(name or "システム")[:150],
        action=action,
        content_type=_content_type(obj),
        object_id=obj.pk if obj is not None else None,
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before or {},
        after=after or {},
        context=context or {},
        comment=comment or "",
    )


def _content_type(obj):
    if obj is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)


@dataclasses.dataclass(frozen=True)
class TimelineEntry:
    """An audit event as a timeline on a page shows it."""

    label: str
    created_at: datetime.datetime
    actor_name: str
    comment: str


def status_timeline(events, status_label) -> list[TimelineEntry]:
    """State changes ("before → after") of audit events whose before/after hold a status;
    `status_label` names a status value."""
    return [
        TimelineEntry(
            label=f"{status_label(e.before.get('status'))} → {status_label(e.after.get('status'))}",
            created_at=e.created_at,
            actor_name=e.actor_name,
            comment=e.comment,
        )
        for e in events
    ]
