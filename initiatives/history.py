"""An initiative's change history (simple-history's versions), read for people: what changed
between two saves, and what someone else saved while a form was open."""

from itertools import pairwise

from core.models import AuditEvent

from . import workflow
from .models import Initiative

HISTORY_LIMIT = 50  # versions shown on the detail page
SAME_SAVE_SECONDS = 5
HIDDEN = {"id", "version", "updated_at", "created_at", "submitted_at", "edition"}
TRACKED = [
    (f.attname, str(f.verbose_name))
    for f in Initiative._meta.concrete_fields
    if f.name not in HIDDEN
]
LABELS = {
    f.name: str(f.verbose_name) for f in Initiative._meta.get_fields() if hasattr(f, "verbose_name")
}


def _history_m2m():
    """(accessor, target attname, label) of the history rows simple-history keeps per m2m field."""
    history_model = Initiative.history.model
    out = []
    for field in Initiative._meta.many_to_many:
        rel = history_model._meta.get_field(f"historicalinitiative_{field.name}")
        target = next(
            f.attname
            for f in rel.related_model._meta.fields
            if f.is_relation and f.related_model is field.related_model
        )
        out.append((rel.get_accessor_name(), target, str(field.verbose_name)))
    return out


TRACKED_M2M = _history_m2m()


def recent_versions(initiative):
    """The latest versions, newest first, with what `changes` reads (a fixed number of queries)."""
    return list(
        initiative.history.select_related("history_user")
        .prefetch_related(*(accessor for accessor, _, _ in TRACKED_M2M))
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )


def _m2m_ids(record, accessor, target):
    # Prefetched by recent_versions: no query here.
    return {getattr(row, target) for row in getattr(record, accessor).all()}


def changes(records):
    """Who changed what when, in words: consecutive versions compared, newest first; each
    change is (label, before, after) as a clerk reads them (names, not ids)."""
    names = _Names(records)
    result = []
    for newer, older in pairwise(records):
        found = [
            (
                label,
                names.show(attname, getattr(older, attname)),
                names.show(attname, getattr(newer, attname)),
            )
            for attname, label in TRACKED
            if getattr(newer, attname) != getattr(older, attname)
        ]
        for accessor, target, label in TRACKED_M2M:
            old, new = _m2m_ids(older, accessor, target), _m2m_ids(newer, accessor, target)
            if old != new:
                found.append((label, names.many(target, old), names.many(target, new)))
        if not found:
            continue
        last = result[-1] if result else None
        # One save writes a version for the fields and one per changed m2m field: show them as one.
        if (
            last
            and last["record"].history_user_id == newer.history_user_id
            and (last["record"].history_date - newer.history_date).total_seconds()
            < SAME_SAVE_SECONDS
        ):
            seen = {label for label, _, _ in last["changes"]}
            last["changes"] += [c for c in found if c[0] not in seen]
        else:
            result.append({"record": newer, "changes": found})
    for item in result:
        item["fields"] = [label for label, _, _ in item["changes"]]
    return result


class _Names:
    """Names of what versions point to, looked up once per kind of record (a query a kind)."""

    def __init__(self, records):
        self.records = records
        self.cache = {}

    def _lookup(self, attname):
        if attname not in self.cache:
            field = next(
                (f for f in Initiative._meta.concrete_fields if f.attname == attname), None
            )
            model = field.related_model if field is not None and field.is_relation else None
            if model is None:
                model = next(
                    f.related_model
                    for f in Initiative._meta.many_to_many
                    if f.related_model._meta.model_name in attname
                )
            ids = set()
            for record in self.records:
                value = getattr(record, attname, None)
                if value is not None:
                    ids.add(value)
            for accessor, target, _ in TRACKED_M2M:
                if target == attname:
                    for record in self.records:
                        ids |= _m2m_ids(record, accessor, target)
            self.cache[attname] = {pk: str(obj) for pk, obj in model.objects.in_bulk(ids).items()}
        return self.cache[attname]

    def show(self, attname, value):
        field = next(f for f in Initiative._meta.concrete_fields if f.attname == attname)
        if value in (None, "", []):
            return "（空欄）"
        if field.is_relation:
            return self._lookup(attname).get(value, f"（削除された記録 {value}）")
        if field.name == "status":
            return workflow.status_label(value)
        if field.name == "funding_sources":
            labels = dict(Initiative.Funding.choices)
            return "、".join(labels.get(v, v) for v in value)
        if isinstance(value, bool):
            return "はい" if value else "いいえ"
        if isinstance(value, int) and field.name in ("initial_cost", "running_cost"):
            return f"{value:,}円"
        return _show(value)

    def many(self, target, ids):
        if not ids:
            return "（なし）"
        names = self._lookup(target)
        return "、".join(sorted(names.get(pk, str(pk)) for pk in ids))


def why_returned(initiative):
    """The audit event that sent it back, if it is sent back now (its comment is the reason)."""
    if initiative.status != Initiative.Status.RETURNED:
        return None
    return (
        AuditEvent.objects.for_object(initiative)
        .of("initiative.transition")
        .filter(after__status=Initiative.Status.RETURNED)
        .last()
    )


def conflict_since(initiative, expected_version) -> dict:
    """Who saved what since `expected_version` (the fields of services.EditConflict)."""
    records = list(
        initiative.history.filter(version__gte=expected_version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if not records:
        return {"editor": "他の利用者", "saved_at": None}
    first, last = records[0], records[-1]
    changed = []
    if first is not last:
        delta = last.diff_against(first, excluded_fields=["version", "status", "submitted_at"])
        for change in delta.changes:
            changed.append(
                (LABELS.get(change.field, change.field), _show(change.old), _show(change.new))
            )
    editor = last.history_user.display_name if last.history_user else "他の利用者"
    return {"editor": editor, "saved_at": last.history_date, "changes": changed}


def _show(value) -> str:
    if value in (None, "", []):
        return "（空欄）"
    if isinstance(value, list):  # m2m history rows
        return f"{len(value)}件"
    text = str(value)
    return text if len(text) <= 80 else text[:80] + "…"
