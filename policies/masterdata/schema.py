"""The shape of a master-data file: `parse` checks it whole and returns it normalised."""

import re
from pathlib import Path

import yaml

from ..models import Body
from . import city
from .reader import MasterDataError, Reader

TOP = "（ファイル全体）"


def parse(raw) -> dict:
    """Check the structure of a parsed file and return it normalised; raise MasterDataError."""
    r = Reader()
    raw = r.mapping(raw, TOP)
    out = {
        "municipality": r.text(raw, "municipality", TOP, max_length=50),
        "names": city.names(r, raw),
        "secretariat": city.secretariat(r, raw),
        "flow": city.flow(r, raw),
        "editions": _editions(r, raw),
        "channels": _channels(r, raw),
        "bodies": _bodies(r, raw),
        "departments": _departments(r, raw),
        "comprehensive_plans": _comprehensive_plans(r, raw),
        "glossary": _glossary(r, raw),
    }
    city.check_bodies_carry_the_flow(r, out)
    if r.problems:
        raise MasterDataError(r.problems)
    return out


def _editions(r, raw):
    editions = [
        _edition(r, e, f"editions[{i}]") for i, e in enumerate(r.items(raw, "editions", ""))
    ]
    r.unique([e["code"] for e in editions], "editions", "識別子")
    codes = [e["code"] for e in editions]
    for i, e in enumerate(editions):
        if e["based_on"] and e["based_on"] not in codes[:i]:
            r.fail(
                f"editions[{i}].based_on",
                f"前に書かれた版の識別子である必要があります（「{e['based_on']}」）",
            )
    r.unique([e["adopted_on"] for e in editions], "editions", "策定日")
    return editions


def _edition(r, e, w):
    e = r.mapping(e, w)
    edition = {
        "code": r.text(e, "code", w, max_length=50),
        "title": r.text(e, "title", w, max_length=100),
        # No adoption date: a draft, adopted later in the portal (policies.editions).
        "adopted_on": r.date(e, "adopted_on", w) if e.get("adopted_on") is not None else None,
        "based_on": r.text(e, "based_on", w, required=False, max_length=50),
        "start_fiscal_year": r.integer(e, "start_fiscal_year", w, minimum=1900),
        "end_fiscal_year": r.integer(e, "end_fiscal_year", w, minimum=1900),
        "issuer": r.text(e, "issuer", w, required=False, max_length=100),
        "note": r.text(e, "note", w, required=False),
        "policies": [
            _policy(r, p, f"{w}.policies[{j}]") for j, p in enumerate(r.items(e, "policies", w))
        ],
        "checklists": [
            _checklist(r, c, f"{w}.checklists[{j}]")
            for j, c in enumerate(r.items(e, "checklists", w))
        ],
    }
    start, end = edition["start_fiscal_year"], edition["end_fiscal_year"]
    if start and end and end < start:
        r.fail(f"{w}.end_fiscal_year", "開始年度より前の年度は指定できません")
    r.unique([p["number"] for p in edition["policies"]], f"{w}.policies", "方針番号")
    r.unique([c["version"] for c in edition["checklists"]], f"{w}.checklists", "バージョン")
    return edition


def _numbered_texts(r, data, key, where, message, *, required):
    """A list of strings, numbered from 1 in their order; an entry may be {number, text} where
    numbers have gaps (an item left out of a revision keeps the others' numbers)."""
    out = []
    for k, text in enumerate(r.items(data, key, where, required=required)):
        number = k + 1
        if isinstance(text, dict):
            number = _number(r, text, f"{where}.{key}[{k}]", number)
            text = text.get("text")
        if not isinstance(text, str) or not text.strip():
            r.fail(f"{where}.{key}[{k}]", message)
            continue
        out.append((number, text.strip()))
    r.unique([n for n, _ in out], f"{where}.{key}", "番号")
    return out


def _number(r, data, where, default):
    """An entry's explicit number, or its place in the list."""
    if data.get("number") is None:
        return default
    return r.integer(data, "number", where) or default


def _policy(r, p, pw):
    p = r.mapping(p, pw)
    continues = p.get("continues")
    if continues is not None and (isinstance(continues, bool) or not isinstance(continues, int)):
        r.fail(f"{pw}.continues", "もとにした版の方針番号（整数）である必要があります")
        continues = None
    return {
        "number": r.integer(p, "number", pw),
        "name": r.text(p, "name", pw, max_length=100),
        "description": r.text(p, "description", pw, required=False),
        "continues": continues,
        "examples": _examples(r, p, pw),
    }


EXAMPLE_REF = re.compile(r"^(\d+)-(\d+)$")


def _examples(r, p, pw):
    """Each example: its title, or {title, continues: ["1-2", ...]} naming the examples of the
    edition it is based on (方針番号-取組例番号) that it carries on."""
    out = []
    for k, x in enumerate(r.items(p, "examples", pw, required=False)):
        xw = f"{pw}.examples[{k}]"
        refs = []
        number = k + 1
        if isinstance(x, dict):
            number = _number(r, x, xw, number)
            title = r.text(x, "title", xw, max_length=200)
            for ref in r.items(x, "continues", xw, required=False):
                match = EXAMPLE_REF.match(str(ref))
                if match is None:
                    r.fail(
                        f"{xw}.continues",
                        f"「{ref}」は 方針番号-取組例番号（例: 1-2）で書いてください",
                    )
                else:
                    refs.append((int(match[1]), int(match[2])))
        elif isinstance(x, str) and x.strip():
            title = x.strip()
        else:
            r.fail(xw, "取組例の名称（文字列）である必要があります")
            continue
        out.append({"number": number, "title": title, "continues": refs})
    r.unique([x["number"] for x in out], f"{pw}.examples", "取組例の番号")
    return out


def _checklist(r, c, cw):
    c = r.mapping(c, cw)
    items = _numbered_texts(
        r, c, "items", cw, "確認事項（文字列）である必要があります", required=True
    )
    if not items:
        r.fail(f"{cw}.items", "確認事項が1つ以上必要です")
    return {
        "version": r.integer(c, "version", cw),
        "title": r.text(c, "title", cw, required=False, max_length=100) or "チェックリスト",
        "items": [{"number": n, "text": t} for n, t in items],
    }


def _channels(r, raw):
    channels = []
    for i, c in enumerate(r.items(raw, "channels", "")):
        w = f"channels[{i}]"
        c = r.mapping(c, w)
        if "eligible_role" in c:
            r.fail(
                f"{w}.eligible_role",
                "ロール名での指定は廃止しました。proposed_by に staff、secretariat、"
                "または委員会の識別子を書いてください",
            )
        channels.append(
            {
                "code": r.text(c, "code", w, max_length=50),
                "name": r.text(c, "name", w, max_length=100),
                "extracted_by": r.text(c, "extracted_by", w, max_length=100),
                "description": r.text(c, "description", w, required=False),
                "proposed_by": r.text(c, "proposed_by", w, required=False, max_length=50)
                or "staff",
                "order": i + 1,
            }
        )
    r.unique([c["code"] for c in channels], "channels", "識別子")
    return channels


def _bodies(r, raw):
    bodies = []
    for i, b in enumerate(r.items(raw, "bodies", "")):
        w = f"bodies[{i}]"
        b = r.mapping(b, w)
        kind = r.text(b, "kind", w)
        if kind and kind not in Body.Kind.values:
            r.fail(f"{w}.kind", f"{', '.join(Body.Kind.values)} のいずれかである必要があります")
        bodies.append(
            {
                "code": r.text(b, "code", w, max_length=50),
                "name": r.text(b, "name", w, max_length=100),
                "short_name": r.text(b, "short_name", w, required=False, max_length=50),
                "kind": kind,
                "members": city.usernames(r, b, w),
                "description": r.text(b, "description", w, required=False),
                "order": i + 1,
            }
        )
    r.unique([b["code"] for b in bodies], "bodies", "識別子")
    return bodies


def _departments(r, raw):
    """部 with their 課 (two levels), in file order."""
    out = []

    def walk(items, where, parent_code):
        for i, d in enumerate(items):
            w = f"{where}[{i}]"
            d = r.mapping(d, w)
            code = r.text(d, "code", w, max_length=50)
            dept = {
                "code": code,
                "name": r.text(d, "name", w, max_length=100),
                "parent": parent_code,
                "order": len(out) + 1,
            }
            if "active" in d:
                if not isinstance(d["active"], bool):
                    r.fail(f"{w}.active", "true または false である必要があります")
                else:
                    dept["is_active"] = d["active"]
            out.append(dept)
            children = r.items(d, "children", w, required=False)
            if children and parent_code:
                r.fail(f"{w}.children", "所属は部 > 課の2階層までです")
            walk(children, f"{w}.children", code)

    walk(r.items(raw, "departments", "", required=False), "departments", None)
    r.unique([d["code"] for d in out], "departments", "識別子")
    return out


def _comprehensive_plans(r, raw):
    plans = []
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
        plans.append(
            {
                "code": r.text(p, "code", w, max_length=50),
                "name": r.text(p, "name", w, max_length=100),
                "stage": r.text(p, "stage", w, required=False, max_length=100),
                "measures": measures,
            }
        )
    return plans


def _glossary(r, raw):
    terms = []
    for i, g in enumerate(r.items(raw, "glossary", "", required=False)):
        w = f"glossary[{i}]"
        g = r.mapping(g, w)
        terms.append(
            {
                "term": r.text(g, "term", w, max_length=100),
                "description": r.text(g, "description", w),
                "order": i + 1,
            }
        )
    r.unique([g["term"] for g in terms], "glossary", "用語")
    return terms


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
