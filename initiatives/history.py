"""An initiative's change history (simple-history's versions), read for people: what changed
between two saves, and what someone else saved while a form was open."""

from itertools import pairwise

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
    """Who changed which fields when: consecutive versions compared, newest first."""
    result = []
    for newer, older in pairwise(records):
        fields = [
            label
            for attname, label in TRACKED
            if getattr(newer, attname) != getattr(older, attname)
        ]
        fields += [
            label
            for accessor, target, label in TRACKED_M2M
            if _m2m_ids(newer, accessor, target) != _m2m_ids(older, accessor, target)
        ]
        if not fields:
            continue
        last = result[-1] if result else None
        # One save writes a version for the fields and one per changed m2m field: show them as one.
        if (
            last
            and last["record"].history_user_id == newer.history_user_id
            and (last["record"].history_date - newer.history_date).total_seconds()
            < SAME_SAVE_SECONDS
        ):
            last["fields"] += [f for f in fields if f not in last["fields"]]
        else:
            result.append({"record": newer, "fields": fields})
    return result


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
