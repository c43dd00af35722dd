"""Exports of an initiative list: Excel (.xlsx) and CSV (UTF-8 with BOM), streamed."""

from django.db.models import F, Prefetch
from django.utils import timezone

from core import spreadsheets
from core.fiscal import fiscal_year, format_fiscal_year
from core.spreadsheets import csv_lines
from policies.models import Department, ExampleInitiative
from policies.names import read_once

COLUMNS = [
    ("ID", lambda i: i.pk),
    ("取組名", lambda i: i.title),
    ("状態", lambda i: i.get_status_display()),
    ("抽出経路", lambda i: i.channel.name),
    ("提案部署", lambda i: i.department.full_name),
    ("提案者", lambda i: i.proposer.display_name),
    ("基本方針", lambda i: str(i.policy) if i.policy else ""),
    (
        "取組例",
        lambda i: "、".join(f"{e.policy_number}-{e.number} {e.title}" for e in i.examples.all()),
    ),
    ("影響する部署", lambda i: "、".join(d.name for d in i.affected_departments.all())),
    ("現状と課題", lambda i: i.current_issues),
    ("取組内容", lambda i: i.content),
    ("市民への効果", lambda i: i.effect_citizens),
    ("職員への効果", lambda i: i.effect_staff),
    ("削減時間（時間/年）", lambda i: i.staff_hours_saved),
    ("初期費用（円）", lambda i: i.initial_cost),
    ("運用費用（円/年）", lambda i: i.running_cost),
    ("財源", lambda i: "、".join(i.funding_labels())),
    (
        "提出年度",
        lambda i: (
            format_fiscal_year(fiscal_year(timezone.localtime(i.submitted_at).date()))
            if i.submitted_at
            else ""
        ),
    ),
    ("提出日時", lambda i: _local(i.submitted_at)),
    ("更新日時", lambda i: _local(i.updated_at)),
]
HEADERS = [name for name, _ in COLUMNS]


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def rows(initiatives):
    with read_once():
        for initiative in initiatives:
            yield [get(initiative) for _, get in COLUMNS]


def export_queryset(queryset):
    """The list's queryset with everything the columns read, fetched in chunks."""
    return (
        queryset.for_list()
        .prefetch_related(
            Prefetch(
                "examples",
                queryset=ExampleInitiative.objects.annotate(
                    policy_number=F("policy__number")
                ).order_by("policy__number", "number"),
            ),
            Prefetch("affected_departments", queryset=Department.objects.order_by("order", "code")),
        )
        .iterator(chunk_size=500)
    )


def csv_chunks(initiatives):
    return csv_lines(_with_header(initiatives))


def _with_header(initiatives):
    yield HEADERS
    yield from rows(initiatives)


def xlsx_file(initiatives):
    """A workbook written in constant memory to a temporary file."""
    return spreadsheets.xlsx_file([("取組一覧", _with_header(initiatives))])
