"""Load a city's master data from one YAML (or JSON) file.

The file is checked whole before anything is written: every problem is reported with its place
(`editions[0].policies[1].name`), and the load runs in one transaction. Loading is idempotent:
records are matched by their code (or number), created when missing, updated when the file says
otherwise, and never deleted. A policy edition, once loaded, is never changed: a revised policy is
a new edition, and a new checklist version is added beside the old ones.
"""

import dataclasses
import datetime
from collections import Counter
from pathlib import Path

import yaml
from django.contrib.auth.models import Group
from django.db import transaction

from .models import (
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


class MasterDataError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclasses.dataclass
class LoadResult:
    created: Counter = dataclasses.field(default_factory=Counter)
    updated: Counter = dataclasses.field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class _Reader:
    """Walks the parsed file, collecting every problem instead of stopping at the first."""

    def __init__(self):
        self.problems: list[str] = []

    def fail(self, where: str, message: str):
        self.problems.append(f"{where}: {message}")

    def mapping(self, data, where):
        if not isinstance(data, dict):
            self.fail(where, "項目の並び（キー: 値）である必要があります")
            return {}
        return data

    def items(self, data, key, where, *, required=True):
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}" if where else key, "必須です")
            return []
        if not isinstance(value, list):
            self.fail(
                f"{where}.{key}" if where else key, "一覧（- で始まる行）である必要があります"
            )
            return []
        return value

    def text(self, data, key, where, *, required=True, max_length=None):
        value = data.get(key)
        place = f"{where}.{key}"
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(place, "必須です")
            return ""
        if not isinstance(value, str):
            self.fail(place, "文字列である必要があります")
            return ""
        if max_length and len(value) > max_length:
            self.fail(place, f"{max_length}文字以内である必要があります")
        return value.strip()

    def integer(self, data, key, where, *, minimum=1):
        value = data.get(key)
        place = f"{where}.{key}"
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(place, "整数である必要があります")
            return None
        if value < minimum:
            self.fail(place, f"{minimum}以上である必要があります")
        return value

    def date(self, data, key, where):
        value = data.get(key)
        place = f"{where}.{key}"
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(place, "日付（YYYY-MM-DD）である必要があります")
        return None

    def unique(self, values, where, label):
        for value, count in Counter(v for v in values if v).items():
            if count > 1:
                self.fail(where, f"{label}「{value}」が重複しています")


def parse(raw) -> dict:
    """Check the structure of a parsed file and return it normalised; raise MasterDataError."""
    r = _Reader()
    raw = r.mapping(raw, "（ファイル全体）")
    out = {"municipality": r.text(raw, "municipality", "（ファイル全体）", max_length=50)}

    out["editions"] = []
    for i, e in enumerate(r.items(raw, "editions", "")):
        w = f"editions[{i}]"
        e = r.mapping(e, w)
        edition = {
            "code": r.text(e, "code", w, max_length=50),
            "title": r.text(e, "title", w, max_length=100),
            "adopted_on": r.date(e, "adopted_on", w),
            "start_fiscal_year": r.integer(e, "start_fiscal_year", w, minimum=1900),
            "end_fiscal_year": r.integer(e, "end_fiscal_year", w, minimum=1900),
            "issuer": r.text(e, "issuer", w, required=False, max_length=100),
            "note": r.text(e, "note", w, required=False),
            "policies": [],
            "checklists": [],
        }
        start, end = edition["start_fiscal_year"], edition["end_fiscal_year"]
        if start and end and end < start:
            r.fail(f"{w}.end_fiscal_year", "開始年度より前の年度は指定できません")
        for j, p in enumerate(r.items(e, "policies", w)):
            pw = f"{w}.policies[{j}]"
            p = r.mapping(p, pw)
            examples = []
            for k, title in enumerate(r.items(p, "examples", pw, required=False)):
                if not isinstance(title, str) or not title.strip():
                    r.fail(f"{pw}.examples[{k}]", "取組例の名称（文字列）である必要があります")
                    continue
                examples.append({"number": k + 1, "title": title.strip()})
            edition["policies"].append(
                {
                    "number": r.integer(p, "number", pw),
                    "name": r.text(p, "name", pw, max_length=100),
                    "description": r.text(p, "description", pw, required=False),
                    "examples": examples,
                }
            )
        r.unique([p["number"] for p in edition["policies"]], f"{w}.policies", "方針番号")
        for j, c in enumerate(r.items(e, "checklists", w)):
            cw = f"{w}.checklists[{j}]"
            c = r.mapping(c, cw)
            items = []
            for k, text in enumerate(r.items(c, "items", cw)):
                if not isinstance(text, str) or not text.strip():
                    r.fail(f"{cw}.items[{k}]", "確認事項（文字列）である必要があります")
                    continue
                items.append({"number": k + 1, "text": text.strip()})
            if not items:
                r.fail(f"{cw}.items", "確認事項が1つ以上必要です")
            edition["checklists"].append(
                {
                    "version": r.integer(c, "version", cw),
                    "title": r.text(c, "title", cw, required=False, max_length=100)
                    or "DX推進チェックリスト",
                    "items": items,
                }
            )
        r.unique([c["version"] for c in edition["checklists"]], f"{w}.checklists", "バージョン")
        out["editions"].append(edition)
    r.unique([e["code"] for e in out["editions"]], "editions", "識別子")
    r.unique([e["adopted_on"] for e in out["editions"]], "editions", "策定日")

    out["channels"] = []
    for i, c in enumerate(r.items(raw, "channels", "")):
        w = f"channels[{i}]"
        c = r.mapping(c, w)
        out["channels"].append(
            {
                "code": r.text(c, "code", w, max_length=50),
                "name": r.text(c, "name", w, max_length=100),
                "extracted_by": r.text(c, "extracted_by", w, max_length=100),
                "description": r.text(c, "description", w, required=False),
                "eligible_role": r.text(c, "eligible_role", w, required=False, max_length=50),
                "order": i + 1,
            }
        )
    r.unique([c["code"] for c in out["channels"]], "channels", "識別子")

    out["bodies"] = []
    for i, b in enumerate(r.items(raw, "bodies", "")):
        w = f"bodies[{i}]"
        b = r.mapping(b, w)
        kind = r.text(b, "kind", w)
        if kind and kind not in Body.Kind.values:
            r.fail(f"{w}.kind", f"{', '.join(Body.Kind.values)} のいずれかである必要があります")
        out["bodies"].append(
            {
                "code": r.text(b, "code", w, max_length=50),
                "name": r.text(b, "name", w, max_length=100),
                "kind": kind,
                "description": r.text(b, "description", w, required=False),
                "order": i + 1,
            }
        )
    r.unique([b["code"] for b in out["bodies"]], "bodies", "識別子")

    out["departments"] = []

    def read_departments(items, where, parent_code):
        for i, d in enumerate(items):
            w = f"{where}[{i}]"
            d = r.mapping(d, w)
            code = r.text(d, "code", w, max_length=50)
            dept = {
                "code": code,
                "name": r.text(d, "name", w, max_length=100),
                "parent": parent_code,
                "order": len(out["departments"]) + 1,
            }
            if "active" in d:
                if not isinstance(d["active"], bool):
                    r.fail(f"{w}.active", "true または false である必要があります")
                else:
                    dept["is_active"] = d["active"]
            out["departments"].append(dept)
            children = r.items(d, "children", w, required=False)
            if children and parent_code:
                r.fail(f"{w}.children", "所属は部 > 課の2階層までです")
            read_departments(children, f"{w}.children", code)

    read_departments(r.items(raw, "departments", "", required=False), "departments", None)
    r.unique([d["code"] for d in out["departments"]], "departments", "識別子")

    out["comprehensive_plans"] = []
    for i, p in enumerate(r.items(raw, "comprehensive_plans", "", required=False)):
        w = f"comprehensive_plans[{i}]"
        p = r.mapping(p, w)
        measures = []
        for j, m in enumerate(r.items(p, "measures", w, required=False)):
            mw = f"{w}.measures[{j}]"
            m = r.mapping(m, mw)
            measures.append(
                {"code": r.text(m, "code", mw, max_length=50), "name": r.text(m, "name", mw)}
            )
        r.unique([m["code"] for m in measures], f"{w}.measures", "識別子")
        out["comprehensive_plans"].append(
            {
                "code": r.text(p, "code", w, max_length=50),
                "name": r.text(p, "name", w, max_length=100),
                "stage": r.text(p, "stage", w, required=False, max_length=100),
                "measures": measures,
            }
        )

    out["glossary"] = []
    for i, g in enumerate(r.items(raw, "glossary", "", required=False)):
        w = f"glossary[{i}]"
        g = r.mapping(g, w)
        out["glossary"].append(
            {
                "term": r.text(g, "term", w, max_length=100),
                "description": r.text(g, "description", w),
                "order": i + 1,
            }
        )
    r.unique([g["term"] for g in out["glossary"]], "glossary", "用語")

    if r.problems:
        raise MasterDataError(r.problems)
    return out


def read_file(path: Path | str) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MasterDataError([f"{path}: 読み込めません（{exc}）"]) from exc
    try:
        raw = yaml.safe_load(text)  # JSON is a subset of YAML, so both load here.
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"{path}:{mark.line + 1}行{mark.column + 1}列" if mark else str(path)
        raise MasterDataError([f"{place}: 書式が正しくありません（{exc}）"]) from exc
    return parse(raw)


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
        for field in ("title", "adopted_on", "start_fiscal_year", "end_fiscal_year")
        if getattr(edition, field) != data[field]
    ]
    stored = {
        p.number: (p.name, p.description, [(x.number, x.title) for x in p.examples.all()])
        for p in edition.policies.prefetch_related("examples")
    }
    wanted = {
        p["number"]: (
            p["name"],
            p["description"],
            [(x["number"], x["title"]) for x in p["examples"]],
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


@transaction.atomic
def load(data: dict) -> LoadResult:
    """Write parsed master data; all or nothing."""
    result = LoadResult()
    problems = []
    _sync(Municipality, {"name": data["municipality"]}, {}, result)

    for i, e in enumerate(data["editions"]):
        edition = PolicyEdition.objects.filter(code=e["code"]).first()
        if edition is not None:
            diffs = _edition_differences(edition, e)
            if diffs:
                problems.append(
                    f"editions[{i}] ({e['code']}): 読み込み済みの版は変更できません"
                    f"（異なる箇所: {'、'.join(diffs)}）。改定は新しい版として読み込んでください。"
                )
                continue
        else:
            if PolicyEdition.objects.filter(adopted_on=e["adopted_on"]).exists():
                problems.append(f"editions[{i}].adopted_on: 同じ策定日の版が既にあります")
                continue
            edition = PolicyEdition.objects.create(
                **{
                    k: e[k]
                    for k in (
                        "code",
                        "title",
                        "adopted_on",
                        "start_fiscal_year",
                        "end_fiscal_year",
                        "issuer",
                        "note",
                    )
                }
            )
            result.created[PolicyEdition._meta.verbose_name] += 1
            for p in e["policies"]:
                policy = Policy.objects.create(
                    edition=edition,
                    number=p["number"],
                    name=p["name"],
                    description=p["description"],
                )
                ExampleInitiative.objects.bulk_create(
                    ExampleInitiative(policy=policy, **x) for x in p["examples"]
                )
                result.created[Policy._meta.verbose_name] += 1
                result.created[ExampleInitiative._meta.verbose_name] += len(p["examples"])
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

    roles = set(Group.objects.values_list("name", flat=True))
    for i, c in enumerate(data["channels"]):
        if c["eligible_role"] and c["eligible_role"] not in roles:
            problems.append(
                f"channels[{i}].eligible_role: ロール「{c['eligible_role']}」はありません"
            )
            continue
        _sync(Channel, {"code": c["code"]}, {k: v for k, v in c.items() if k != "code"}, result)
    for b in data["bodies"]:
        _sync(Body, {"code": b["code"]}, {k: v for k, v in b.items() if k != "code"}, result)
    codes = {}
    for d in data["departments"]:
        values = {k: v for k, v in d.items() if k not in ("code", "parent")}
        values["parent"] = codes.get(d["parent"])
        codes[d["code"]] = _sync(Department, {"code": d["code"]}, values, result)
    for p in data["comprehensive_plans"]:
        plan = _sync(
            ComprehensivePlan, {"code": p["code"]}, {"name": p["name"], "stage": p["stage"]}, result
        )
        for m in p["measures"]:
            _sync(Measure, {"plan": plan, "code": m["code"]}, {"name": m["name"]}, result)
    for g in data["glossary"]:
        _sync(
            GlossaryTerm, {"term": g["term"]}, {k: v for k, v in g.items() if k != "term"}, result
        )

    if problems:
        # Raising inside the atomic block rolls back everything written above.
        raise MasterDataError(problems)
    return result
