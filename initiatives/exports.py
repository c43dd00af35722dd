"""Exports of an initiative list: Excel (.xlsx) and CSV (UTF-8 with BOM), streamed.

Rows are read as plain values (`values()`), a chunk at a time, with the chunk's 取組例 and
影響する部署 in one query each: no model instances, and memory does not grow with the rows.
"""

import itertools

from django.utils import timezone

from core import cache, spreadsheets
from core.fiscal import fiscal_year, format_fiscal_year
from core.spreadsheets import csv_lines

from . import workflow
from .models import Initiative

CHUNK = 1000
FIELDS = (
    "id",
    "title",
    "status",
    "channel__name",
    "department__name",
    "department__parent__name",
    "proposer__username",
    "proposer__first_name",
    "proposer__last_name",
    "policy__number",
    "policy__name",
    "current_issues",
    "content",
    "effect_citizens",
    "effect_staff",
    "staff_hours_saved",
    "initial_cost",
    "running_cost",
    "funding_sources",
    "submitted_at",
    "updated_at",
)
FUNDING = dict(Initiative.Funding.choices)


def _department(r):
    parent = r["department__parent__name"]
    return f"{parent} {r['department__name']}" if parent else r["department__name"]


def _proposer(r):
    # User.display_name, from the values.
    name = f"{r['proposer__last_name']} {r['proposer__first_name']}".strip()
    return name or r["proposer__username"]


def _submitted_year(r):
    moment = r["submitted_at"]
    return format_fiscal_year(fiscal_year(timezone.localtime(moment).date())) if moment else ""


COLUMNS = [
    ("ID", lambda r: r["id"]),
    ("取組名", lambda r: r["title"]),
    ("状態", lambda r: workflow.status_label(r["status"])),
    ("抽出経路", lambda r: r["channel__name"]),
    ("提案部署", _department),
    ("提案者", _proposer),
    (
        "基本方針",
        lambda r: f"方針{r['policy__number']} {r['policy__name']}" if r["policy__number"] else "",
    ),
    ("取組例", lambda r: "、".join(r["examples"])),
    ("影響する部署", lambda r: "、".join(r["affected"])),
    ("現状と課題", lambda r: r["current_issues"]),
    ("取組内容", lambda r: r["content"]),
    ("市民への効果", lambda r: r["effect_citizens"]),
    ("職員への効果", lambda r: r["effect_staff"]),
    ("削減時間（時間/年）", lambda r: r["staff_hours_saved"]),
    ("初期費用（円）", lambda r: r["initial_cost"]),
    ("運用費用（円/年）", lambda r: r["running_cost"]),
    ("財源", lambda r: "、".join(FUNDING.get(c, c) for c in r["funding_sources"] or [])),
    ("提出年度", _submitted_year),
    ("提出日時", lambda r: _local(r["submitted_at"])),
    ("更新日時", lambda r: _local(r["updated_at"])),
]
HEADERS = [name for name, _ in COLUMNS]


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def rows(initiatives):
    with cache.memo_scope():
        for initiative in initiatives:
            yield [get(initiative) for _, get in COLUMNS]


def _examples(pks):
    """{initiative id: ["1-2 取組例", ...]} for a chunk of ids. 1 query."""
    out = {}
    rows = (
        Initiative.examples.through.objects.filter(initiative_id__in=pks)
        .order_by("exampleinitiative__policy__number", "exampleinitiative__number")
        .values_list(
            "initiative_id",
            "exampleinitiative__policy__number",
            "exampleinitiative__number",
            "exampleinitiative__title",
        )
    )
    for pk, policy, number, title in rows:
        out.setdefault(pk, []).append(f"{policy}-{number} {title}")
    return out


def _affected(pks):
    """{initiative id: [部署名, ...]} for a chunk of ids. 1 query."""
    out = {}
    rows = (
        Initiative.affected_departments.through.objects.filter(initiative_id__in=pks)
        .order_by("department__order", "department__code")
        .values_list("initiative_id", "department__name")
    )
    for pk, name in rows:
        out.setdefault(pk, []).append(name)
    return out


def _chunks(queryset):
    values = queryset.values(*FIELDS).iterator(chunk_size=CHUNK)
    while chunk := list(itertools.islice(values, CHUNK)):
        pks = [r["id"] for r in chunk]
        examples, affected = _examples(pks), _affected(pks)
        for r in chunk:
            r["examples"] = examples.get(r["id"], [])
            r["affected"] = affected.get(r["id"], [])
            yield r


def export_queryset(queryset):
    """The list's rows as dicts of what the columns read, fetched in chunks; 3 queries per
    chunk of 1,000."""
    return _chunks(queryset)


def csv_chunks(initiatives):
    return csv_lines(_with_header(initiatives))


def _with_header(initiatives):
    yield HEADERS
    yield from rows(initiatives)


def xlsx_file(initiatives):
    """A workbook written in constant memory (openpyxl's write-only mode) to a temporary file."""
    return spreadsheets.xlsx_file([("取組一覧", _with_header(initiatives))])
