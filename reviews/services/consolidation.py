"""取りまとめ: proposals of the same idea merged into one item, and undone before its review.

Nothing an original said is lost: the originals stay (統合済) and are shown on the merged item's
page with their schedule, cases, self-check and attachments; a new merged item also gets copies
of the source's schedule and self-check and of every original's cases. Every department that
proposed the idea stays on the item (提案部署 and 共同提案部署).
"""

from django.db import transaction
from django.db.models import Q

from accounts.permissions import require_secretariat
from core import audit
from initiatives import notifications, similarity_index
from initiatives import services as initiative_services
from initiatives.consolidation import awaiting_undo, pending_consolidation
from initiatives.models import CARRIED_BY_CONSOLIDATION, CaseStudy, Initiative, Milestone
from initiatives.workflow import REVIEWABLE
from policies.names import city

from .review import ReviewError

S = Initiative.Status
# What a consolidation into an existing item overwrites, and its undo puts back.
REWRITTEN = ("title", "content", *CARRIED_BY_CONSOLIDATION)

audit.register(
    {
        "initiative.consolidated": "取りまとめ（統合）",
        "initiative.unconsolidated": "統合の取消し",
    }
)


def _lock_originals(originals, source, primary):
    """The chosen originals, locked, checked, by id; the source and primary among them."""
    ids = sorted({o.pk for o in originals})
    if len(ids) < 2:
        raise ReviewError("統合するには、異なる取組項目を2件以上選んでください。")
    locked = list(Initiative.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    wrong = [i for i in locked if i.status not in REVIEWABLE]
    if wrong:
        names = "、".join(f"「{i.title}」（{i.get_status_display()}）" for i in wrong)
        raise ReviewError(f"提出済・審査中の取組項目だけを統合できます: {names}")
    by_id = {i.pk: i for i in locked}
    if source.pk not in by_id or (primary is not None and primary.pk not in by_id):
        raise ReviewError("統合の元にする取組項目は、選んだ取組項目の中から選んでください。")
    return locked, by_id


def _merged_m2m(originals, policy_id):
    """Every original's affected departments, and its examples under the merged policy."""
    return {
        "affected_departments": {d for i in originals for d in i.affected_departments.all()},
        "examples": {
            e for i in originals for e in i.examples.all() if policy_id and e.policy_id == policy_id
        },
    }


def _copy_parts(result, originals, source):
    """A new merged item starts from the source's schedule and self-check and every original's
    cases (the same case named twice is copied once)."""
    Milestone.objects.bulk_create(
        Milestone(
            initiative=result,
            kind=m.kind,
            label=m.label,
            target_date=m.target_date,
            target_fiscal_year=m.target_fiscal_year,
            order=m.order,
        )
        for m in source.milestones.all()
    )
    seen, cases = set(), []
    for original in originals:
        for case in original.case_studies.all():
            if (case.name, case.url) not in seen:
                seen.add((case.name, case.url))
                cases.append(
                    CaseStudy(initiative=result, name=case.name, url=case.url, notes=case.notes)
                )
    CaseStudy.objects.bulk_create(cases)
    initiative_services.save_self_check(
        result, {a.item: (a.answer, a.note) for a in source.self_check.select_related("item")}
    )


def _new_item(originals, source, actor, values):
    result = initiative_services.create_initiative(
        actor=actor,
        edition=source.edition,
        channel=source.channel,
        # The idea stays its departments': the source's leads, the others co-propose.
        department=source.department,
        values=values,
    )
    _copy_parts(result, originals, source)
    initiative_services.transition(
        result, to=S.SUBMITTED, actor=actor, comment="取りまとめにより作成", service="submit"
    )
    return result


@transaction.atomic
def consolidate(originals, *, actor, primary=None, source, title, content):
    """Merge several submitted proposals into one (a new initiative, or `primary`, one of them).

    The others become 統合済, linked to the result; nothing is deleted. `source` is the original
    whose remaining fields the result takes; `title` and `content` are chosen by the secretariat.
    The result waits in the inbox (提出済) until its review is started: until then
    `undo_consolidation` puts everything back.
    """
    require_secretariat(actor, "この操作を行う権限がありません。")
    locked, by_id = _lock_originals(originals, source, primary)
    source = by_id[source.pk]
    if not title.strip():
        raise ReviewError("統合後の取組名を入力してください。")
    values = {
        "title": title.strip(),
        "content": content.strip(),
        **{name: getattr(source, name) for name in CARRIED_BY_CONSOLIDATION},
    }
    add = _merged_m2m(locked, values["policy"].pk if values["policy"] else None)
    lead = by_id[primary.pk] if primary is not None else source
    if primary is None:
        result = _new_item(locked, source, actor, {**values, **add})
        restore, added = None, {}
    else:
        restore = audit.snapshot(lead, REWRITTEN)
        added = {
            name: sorted(o.pk for o in objects - set(getattr(lead, name).all()))
            for name, objects in add.items()
        }
        result = initiative_services.rewrite(
            lead, actor=actor, values=values, add=add, comment="取りまとめ（統合）"
        )
    present = {lead.department_id, *result.co_departments.values_list("pk", flat=True)}
    co = sorted(proposing_departments(locked) - present)
    result.co_departments.add(*co)
    merged = [i for i in locked if i.pk != result.pk]
    version = Initiative.objects.values_list("version", flat=True).get(pk=result.pk)
    audit.record(
        actor=actor,
        action="initiative.consolidated",
        obj=result,
        after={
            "consolidated_from": [i.pk for i in merged],
            "source": source.pk,
            "created": primary is None,
            "co_departments": co,
            "added": added,
            "restore": restore,
            # The merged item as it was left: undo is possible while it is still so.
            "version": version,
        },
    )
    for original in merged:
        _merge_into(original, result, actor)
    return result


def proposing_departments(initiatives) -> set:
    """Ids of every department that proposed these (an original that is itself a merge
    brings its co-proposers too)."""
    ids = {i.department_id for i in initiatives}
    through = Initiative.co_departments.through
    ids |= set(
        through.objects.filter(initiative__in=initiatives).values_list("department_id", flat=True)
    )
    return ids


def _merge_into(original, result, actor):
    initiative_services.transition(
        original,
        to=S.CONSOLIDATED,
        actor=actor,
        comment=f"「{result.title}」に統合",
        changes={"consolidated_into": result},
        service="consolidate",
    )
    notifications.notify(
        notifications.owners(original),
        f"統合: {original.title}",
        f"{city().secretariat}が取組項目（案）「{original.title}」を「{result.title}」に統合しました。"
        "元の提案は統合済として残り、統合後の取組のページから参照できます。",
        url=result.get_absolute_url(),
    )


def can_undo(initiative) -> bool:
    """Until anything happens to the merged item (its review above all), its latest
    consolidation can be undone."""
    return awaiting_undo(initiative)


@transaction.atomic
def undo_consolidation(result, *, actor, reason):
    """Put the originals back in the inbox (提出済) and the merged item as it was: one the
    consolidation created is set aside (取下げ, kept); one that existed gets back its own text."""
    require_secretariat(actor, "この操作を行う権限がありません。")
    # The merged item and its originals locked in one query in id order, as consolidate does.
    rows = (
        Initiative.objects.select_for_update()
        .filter(Q(pk=result.pk) | Q(consolidated_into=result.pk))
        .order_by("pk")
    )
    rows = {i.pk: i for i in rows}
    locked = rows[result.pk]
    reason = (reason or "").strip()
    event = pending_consolidation(locked)
    if event is None:
        raise ReviewError(
            "この取組項目の統合は取り消せません。取り消せるのは、統合した後、審査の開始や差戻しなど"
            "何も進んでいない間の、最後の統合だけです。"
        )
    if not reason:
        raise ReviewError("統合を取り消す理由を入力してください。")
    originals = [
        rows[pk]
        for pk in event.after["consolidated_from"]
        if pk in rows and rows[pk].status == S.CONSOLIDATED
    ]
    locked.co_departments.remove(*event.after["co_departments"])
    if event.after["created"]:
        # Set aside, and no longer shared: the idea is counted in its originals again.
        initiative_services.transition(
            locked,
            to=S.WITHDRAWN,
            actor=actor,
            comment=reason,
            changes={"submitted_at": None},
            service="unconsolidate",
        )
    else:
        _restore(locked, event.after, actor, reason)
    for original in originals:
        _take_back(original, locked, actor, reason)
    audit.record(
        actor=actor,
        action="initiative.unconsolidated",
        obj=locked,
        before={"consolidated_from": [o.pk for o in originals]},
        comment=reason,
    )
    result.refresh_from_db()
    return originals


def _restore(locked, recorded, actor, reason):
    """An existing item the consolidation rewrote gets back its own fields and relations."""
    before = audit.snapshot(locked, REWRITTEN)
    for name, value in recorded["restore"].items():
        setattr(locked, Initiative._meta.get_field(name).attname, value)
    locked.version += 1
    locked._history_user = actor
    locked.save()
    # Values from the log come back as text (dates, amounts): read them back as the model has them.
    locked.refresh_from_db()
    similarity_index.refresh(locked)
    for name, ids in recorded["added"].items():
        getattr(locked, name).remove(*ids)
    audit.record(
        actor=actor,
        action="initiative.rewritten",
        obj=locked,
        before=before,
        after=recorded["restore"],
        comment=f"統合の取消し: {reason}",
    )


def _take_back(original, result, actor, reason):
    initiative_services.transition(
        original,
        to=S.SUBMITTED,
        actor=actor,
        comment=f"「{result.title}」への統合を取り消しました: {reason}",
        changes={"consolidated_into": None},
        service="unconsolidate",
    )
    notifications.notify(
        notifications.owners(original),
        f"統合の取消し: {original.title}",
        f"{city().secretariat}が「{original.title}」の「{result.title}」への統合を取り消しました。"
        f"提案は提出済に戻り、改めて審査されます。\n\n理由: {reason}",
        url=original.get_absolute_url(),
    )
