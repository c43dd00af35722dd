"""Writing parsed master data: all or nothing, idempotent, never deleting."""

import dataclasses
from collections import Counter

from django.db import transaction

from ..flow import PROPOSERS
from ..models import (
    Body,
    Channel,
    Checklist,
    ChecklistItem,
    ComprehensivePlan,
    Department,
    ExampleInitiative,
    GlossaryTerm,
    Measure,
    Municipality,
    Policy,
    PolicyEdition,
)
from .reader import MasterDataError


@dataclasses.dataclass
class LoadResult:
    created: Counter = dataclasses.field(default_factory=Counter)
    updated: Counter = dataclasses.field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _sync(model, lookup: dict, values: dict, result: LoadResult):
    """Create or update one record to match the file; count what changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.created[model._meta.verbose_name] += 1
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        result.updated[model._meta.verbose_name] += 1
    return obj


def _edition_differences(edition: PolicyEdition, data: dict) -> list[str]:
    """What the file says differently about an edition already loaded."""
    diffs = [
        field
        for field in ("title", "start_fiscal_year", "end_fiscal_year")
        if getattr(edition, field) != data[field]
    ]
    # A draft in the file may since have been adopted in the portal: that is no difference.
    if data["adopted_on"] is not None and edition.adopted_on != data["adopted_on"]:
        diffs.append("adopted_on")
    if (edition.based_on.code if edition.based_on_id else "") != data["based_on"]:
        diffs.append("based_on")
    stored = {
        p.number: (
            p.name,
            p.description,
            p.continues.number if p.continues_id else None,
            [
                (x.number, x.title, sorted((c.policy.number, c.number) for c in x.continues.all()))
                for x in p.examples.all()
            ],
        )
        for p in edition.policies.select_related("continues").prefetch_related(
            "examples__continues__policy"
        )
    }
    wanted = {
        p["number"]: (
            p["name"],
            p["description"],
            p["continues"],
            [(x["number"], x["title"], sorted(x["continues"])) for x in p["examples"]],
        )
        for p in data["policies"]
    }
    for number in sorted(set(stored) | set(wanted)):
        if stored.get(number) != wanted.get(number):
            diffs.append(f"方針{number}")
    for checklist in edition.checklists.prefetch_related("items"):
        file_version = next(
            (c for c in data["checklists"] if c["version"] == checklist.version), None
        )
        items = [(i.number, i.text) for i in checklist.items.all()]
        if file_version is None or items != [
            (i["number"], i["text"]) for i in file_version["items"]
        ]:
            diffs.append(f"チェックリスト第{checklist.version}版")
    return diffs


EDITION_FIELDS = (
    "code",
    "title",
    "adopted_on",
    "start_fiscal_year",
    "end_fiscal_year",
    "issuer",
    "note",
)


@transaction.atomic
def load(data: dict) -> LoadResult:
    """Write parsed master data; all or nothing."""
    result = LoadResult()
    problems = []
    for i, e in enumerate(data["editions"]):
        _load_edition(i, e, result, problems)
    bodies = {
        b["code"]: _sync(Body, {"code": b["code"]}, _without(b, "code", "members"), result)
        for b in data["bodies"]
    }
    _load_channels(data["channels"], bodies, result)
    codes = {}
    for d in data["departments"]:
        values = _without(d, "code", "parent")
        values["parent"] = codes.get(d["parent"])
        codes[d["code"]] = _sync(Department, {"code": d["code"]}, values, result)
    _load_municipality(data, result, problems)
    for p in data["comprehensive_plans"]:
        plan = _sync(
            ComprehensivePlan, {"code": p["code"]}, {"name": p["name"], "stage": p["stage"]}, result
        )
        for m in p["measures"]:
            _sync(Measure, {"plan": plan, "code": m["code"]}, {"name": m["name"]}, result)
    for g in data["glossary"]:
        _sync(GlossaryTerm, {"term": g["term"]}, _without(g, "term"), result)
    if problems:
        # Raising inside the atomic block rolls back everything written above.
        raise MasterDataError(problems)
    return result


def _without(values, *keys):
    return {k: v for k, v in values.items() if k not in keys}


def _load_edition(i, e, result, problems):
    """A new edition with its policies and examples; checklist versions it lacks. An edition
    already loaded must read the same."""
    edition = PolicyEdition.objects.filter(code=e["code"]).first()
    if edition is not None and e["adopted_on"] is None:
        # A draft in the file is the portal's once loaded: 管理者 edit and adopt it there.
        return
    if edition is not None:
        diffs = _edition_differences(edition, e)
        if diffs:
            problems.append(
                f"editions[{i}] ({e['code']}): 読み込み済みの版は変更できません"
                f"（異なる箇所: {'、'.join(diffs)}）。改定は新しい版として読み込んでください。"
            )
            return
    else:
        if e["adopted_on"] and PolicyEdition.objects.filter(adopted_on=e["adopted_on"]).exists():
            problems.append(f"editions[{i}].adopted_on: 同じ策定日の版が既にあります")
            return
        based_on = PolicyEdition.objects.filter(code=e["based_on"]).first()
        edition = PolicyEdition.objects.create(
            **{k: e[k] for k in EDITION_FIELDS}, based_on=based_on
        )
        result.created[PolicyEdition._meta.verbose_name] += 1
        for j, p in enumerate(e["policies"]):
            _load_policy(edition, based_on, p, f"editions[{i}].policies[{j}]", result, problems)
    known = set(edition.checklists.values_list("version", flat=True))
    for c in e["checklists"]:
        if c["version"] in known:
            continue
        checklist = Checklist.objects.create(
            edition=edition, version=c["version"], title=c["title"]
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(checklist=checklist, **item) for item in c["items"]
        )
        result.created[Checklist._meta.verbose_name] += 1
        result.created[ChecklistItem._meta.verbose_name] += len(c["items"])


def _load_policy(edition, based_on, p, where, result, problems):
    """A policy and its examples, with what they continue of the edition they are based on."""
    earlier = {}
    if based_on is not None:
        earlier = {
            (x.policy.number, x.number): x
            for x in ExampleInitiative.objects.filter(policy__edition=based_on).select_related(
                "policy"
            )
        }
    continues = None
    if p["continues"] is not None:
        continues = based_on and based_on.policies.filter(number=p["continues"]).first()
        if continues is None:
            problems.append(f"{where}.continues: もとにした版に方針{p['continues']}がありません")
    policy = Policy.objects.create(
        edition=edition, continues=continues or None, **_without(p, "examples", "continues")
    )
    result.created[Policy._meta.verbose_name] += 1
    for k, x in enumerate(p["examples"]):
        example = ExampleInitiative.objects.create(
            policy=policy, number=x["number"], title=x["title"]
        )
        result.created[ExampleInitiative._meta.verbose_name] += 1
        for ref in x["continues"]:
            if ref not in earlier:
                problems.append(
                    f"{where}.examples[{k}].continues: もとにした版に取組例{ref[0]}-{ref[1]}がありません"
                )
            else:
                example.continues.add(earlier[ref])


def _load_channels(channels, bodies, result):
    for c in channels:
        who = c["proposed_by"]
        values = _without(c, "code", "proposed_by")
        if who in PROPOSERS:
            values.update(proposed_by=who, committee=None)
        else:  # a committee's code (schema.parse checked it is one)
            values.update(proposed_by=Channel.ProposedBy.COMMITTEE, committee=bodies[who])
        _sync(Channel, {"code": c["code"]}, values, result)


def _load_municipality(data, result, problems):
    """The city, its names and the shape of its flow (one municipality a portal)."""
    department = None
    code = data["secretariat"]["department"]
    if code:
        department = Department.objects.filter(code=code).first()
        if department is None:
            problems.append(f"secretariat.department: 所属「{code}」がありません")
    values = {
        "document_name": data["names"]["document"],
        "promoter_title": data["names"]["promoter"],
        "former_plan_name": data["names"]["former_plan"],
        "secretariat_name": data["secretariat"]["name"],
        "secretariat_department": department,
        "advisory_opinion": data["flow"]["advisory_opinion"],
        "required_at_submission": data["flow"]["required_at_submission"],
    }
    other = Municipality.objects.exclude(name=data["municipality"]).first()
    if other is not None:
        problems.append(
            f"municipality: このポータルには既に「{other.name}」のデータがあります（1つのポータルに1つの団体）"
        )
    _sync(Municipality, {"name": data["municipality"]}, values, result)
