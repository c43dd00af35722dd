"""The policy's next edition, drafted in the portal: copied from an edition, edited by 管理者
(in the admin site), previewed, and adopted on a date.

A draft has no adoption date, so it is never in force and nobody but 管理者 sees it. Adopting it
sets the date; from then on new proposals take it, while items already proposed keep the
edition they were proposed under (Initiative.edition). The copy remembers what it continues
(Policy.continues, ExampleInitiative.continues), which 管理者 may change, so that dashboards
read earlier items under the new edition's policies and examples.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max

from core import audit

from .models import Checklist, ChecklistItem, ExampleInitiative, Policy, PolicyEdition

audit.register(
    {
        "edition.drafted": "方針の次の版の案の作成",
        "edition.adopted": "方針の版の採択",
    }
)


# Marks a draft's provisional name; the name it is adopted under is the city's own.
DRAFT_SUFFIX = "（次期・案）"


class EditionError(Exception):
    """Why a draft cannot be made or adopted, for the person."""


def may_edit(user) -> bool:
    """管理者: the master data's editors."""
    return user.is_active and user.is_staff and user.has_perm("policies.change_policyedition")


def _free_code(base: str) -> str:
    code, n = f"{base[:44]}-next", 2
    while PolicyEdition.objects.filter(code=code).exists():
        code, n = f"{base[:44]}-next{n}", n + 1
    return code


@transaction.atomic
def draft_next(edition: PolicyEdition, *, actor) -> PolicyEdition:
    """A draft of the edition after `edition`: its policies, examples and newest checklist
    copied, each continuing what it was copied from; the period follows on, as long."""
    if edition.is_draft:
        raise EditionError("案の版からは次の版を作れません。採択された版を選んでください。")
    length = edition.end_fiscal_year - edition.start_fiscal_year
    draft = PolicyEdition.objects.create(
        code=_free_code(edition.code),
        title=f"{edition.title}{DRAFT_SUFFIX}"[:100],
        adopted_on=None,
        based_on=edition,
        start_fiscal_year=edition.end_fiscal_year + 1,
        end_fiscal_year=edition.end_fiscal_year + 1 + length,
        issuer=edition.issuer,
    )
    for policy in edition.policies.order_by("number").prefetch_related("examples"):
        copy = Policy.objects.create(
            edition=draft,
            number=policy.number,
            name=policy.name,
            description=policy.description,
            continues=policy,
        )
        for example in policy.examples.order_by("number"):
            new = ExampleInitiative.objects.create(
                policy=copy, number=example.number, title=example.title
            )
            new.continues.add(example)
    checklist = edition.current_checklist()
    if checklist is not None:
        new_list = Checklist.objects.create(edition=draft, version=1, title=checklist.title)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(checklist=new_list, number=i.number, text=i.text)
            for i in checklist.items.order_by("number")
        )
    audit.record(
        actor=actor, action="edition.drafted", obj=draft, context={"based_on": edition.code}
    )
    return draft


def adoption_problems(draft: PolicyEdition, on: datetime.date | None, title=None) -> list[str]:
    """What stands in the way of adopting the draft on that date under that name (empty:
    nothing)."""
    problems = []
    if not draft.is_draft:
        problems.append("この版は既に採択されています。")
        return problems
    title = draft.title if title is None else title
    if DRAFT_SUFFIX in title:
        problems.append(f"名称から「{DRAFT_SUFFIX}」を外し、採択する版の名称にしてください。")
    elif PolicyEdition.objects.adopted().filter(title=title).exists():
        problems.append("採択済みの版と同じ名称です。版を見分けられる名称にしてください。")
    if on is None:
        problems.append("策定日（適用を始める日）を入力してください。")
    else:
        latest = PolicyEdition.objects.adopted().aggregate(latest=Max("adopted_on"))["latest"]
        if latest is not None and on <= latest:
            problems.append(
                f"策定日は、採択済みの最新の版の策定日（{latest:%Y年%-m月%-d日}）より後にしてください。"
            )
    if not draft.policies.exists():
        problems.append("基本方針が1つもありません。")
    # What it continues is of the edition it revises: so the file can say it as 方針番号-番号.
    stray = ExampleInitiative.objects.filter(continued_by__policy__edition=draft).exclude(
        policy__edition_id=draft.based_on_id
    )
    stray_policies = Policy.objects.filter(continued_by__edition=draft).exclude(
        edition_id=draft.based_on_id
    )
    if stray.exists() or stray_policies.exists():
        problems.append(
            "引き継ぐ基本方針・取組例は、もとにした版のものにしてください"
            f"（{'、'.join(str(x) for x in [*stray_policies, *stray][:5])}）。"
        )
    checklist = draft.current_checklist()
    if checklist is None or not checklist.items.exists():
        problems.append("チェックリストの項目が1つもありません。")
    return problems


@transaction.atomic
def adopt(draft: PolicyEdition, *, on: datetime.date, actor, title=None) -> PolicyEdition:
    """Adopt the draft from `on` under its final name: in force from that day, for every
    proposal made after."""
    draft = PolicyEdition.objects.select_for_update().get(pk=draft.pk)
    title = (draft.title if title is None else title).strip()
    problems = adoption_problems(draft, on, title)
    if problems:
        raise EditionError(" ".join(problems))
    before = {"title": draft.title}
    draft.adopted_on, draft.title = on, title
    try:
        with transaction.atomic():
            draft.save(update_fields=["adopted_on", "title"])
    except IntegrityError as exc:  # another edition adopted for the same day meanwhile
        raise EditionError("同じ策定日の版が既にあります。別の日にしてください。") from exc
    audit.record(
        actor=actor,
        action="edition.adopted",
        obj=draft,
        before=before,
        after={"adopted_on": on.isoformat(), "title": title},
    )
    return draft


def carried_over(draft: PolicyEdition):
    """For the preview: each example of the edition it is based on, with the draft's examples
    that continue it ([] when none does: that example ends with the old edition). 3 queries."""
    if draft.based_on_id is None:
        return []
    successors = {}
    news = ExampleInitiative.objects.filter(policy__edition=draft).select_related("policy")
    for new in news.prefetch_related("continues"):
        for old in new.continues.all():
            successors.setdefault(old.pk, []).append(new)
    old_examples = ExampleInitiative.objects.filter(
        policy__edition_id=draft.based_on_id
    ).select_related("policy")
    return [
        (old, sorted(successors.get(old.pk, []), key=lambda e: e.number))
        for old in old_examples.order_by("policy__number", "number")
    ]
