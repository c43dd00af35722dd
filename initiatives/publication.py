"""Publication to citizens: what 情報政策課 marks public, and what citizens may see of it.

Citizens see an initiative only once the city has decided on it (PUBLISHABLE) and 情報政策課
has marked it public with a plain-language summary. The public pages and the open data never
read an Initiative directly: they read a `PublicInitiative`, a projection that holds only the
fields listed here (title, summary, state, 基本方針, owning department, the current plan's
years and budget, KPIs, confirmed reports' evaluation and progress, and the dates of public
state changes). Comments, review notes, checklist answers, attachments, people's names,
現状と課題 and the proposal's costs are never fetched into it, so no template can show them.
"""

import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils import timezone

from accounts import roles

from .models import (
    Initiative,
    Kpi,
    KpiActual,
    PlanEntry,
    PlanRevision,
    PlanYear,
    ProgressReport,
    ReportSchedule,
    Transition,
)
from .models.proposals import PUBLISHABLE
from .services import TransitionError

S = Initiative.Status

# State changes citizens see on the timeline (date and state only).
PUBLIC_EVENTS = (
    S.DECIDED,
    S.DEPARTMENT_LED,
    S.PLANNED,
    S.IN_PROGRESS,
    S.COMPLETED,
    S.CANCELLED,
)
# Reports of a fiscal year, oldest first: 上半期, 通年, 下半期.
PERIOD_ORDER = {"h1": 0, "year": 1, "h2": 2}


class PublicationError(TransitionError):
    """Refused publication; the message is in Japanese."""


def can_manage(user) -> bool:
    return user.is_authenticated and user.has_role(roles.INFO_POLICY)


def publishable_labels() -> str:
    return "・".join(S(s).label for s in PUBLISHABLE)


@transaction.atomic
def set_publication(initiative, *, actor, is_public, summary, expected_version=None):
    """Mark an initiative public (or not) with its plain-language summary; 情報政策課 only.

    `expected_version` is the version the form was opened at: if the initiative changed since,
    nothing is written.
    """
    if not can_manage(actor):
        raise PermissionDenied("公開の設定は情報政策課だけが行えます。")
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if expected_version is not None and locked.version != expected_version:
        raise PublicationError(
            "この取組項目は、開いた後に他の人が更新しています。画面を更新して確認してください。"
        )
    summary = (summary or "").strip()
    if is_public:
        if locked.status not in PUBLISHABLE:
            raise PublicationError(
                f"「{locked.get_status_display()}」の取組項目は公開できません"
                f"（公開できるのは{publishable_labels()}のものだけです）。"
            )
        if not summary:
            raise PublicationError(
                "市民に公開するには、公開用の概要（平易な言葉で）を入力してください。"
            )
    locked.is_public = bool(is_public)
    locked.public_summary = summary
    locked.version += 1
    locked._history_user = actor
    locked.save(update_fields=["is_public", "public_summary", "version", "updated_at"])
    initiative.is_public, initiative.public_summary = locked.is_public, locked.public_summary
    initiative.version = locked.version
    return locked


# --- What citizens see --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PublicYear:
    fiscal_year: int
    planned: str
    amount: int


@dataclasses.dataclass(frozen=True)
class PublicKpi:
    indicator: str
    unit: str
    baseline_value: Decimal
    baseline_year: int
    target_value: Decimal
    target_year: int
    actual_value: Decimal | None
    actual_fiscal_year: int | None

    def _show(self, value):
        return f"{plain_number(value)}{self.unit}" if value is not None else ""

    @property
    def baseline_display(self):
        return self._show(self.baseline_value)

    @property
    def target_display(self):
        return self._show(self.target_value)

    @property
    def actual_display(self):
        return self._show(self.actual_value)


def plain_number(value: Decimal) -> str:
    """12000.00 -> 12,000; 32.50 -> 32.5 (no trailing zeros, no exponent)."""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,f}"
    return f"{value.normalize():,f}"


@dataclasses.dataclass(frozen=True)
class PublicReport:
    fiscal_year: int
    period: str
    period_label: str
    evaluation: str
    evaluation_label: str
    progress_percent: int | None


@dataclasses.dataclass(frozen=True)
class PublicEvent:
    date: datetime.date
    status: str
    status_label: str


@dataclasses.dataclass(frozen=True)
class PublicInitiative:
    pk: int
    title: str
    summary: str
    status: str
    status_label: str
    policy_number: int | None
    policy_name: str
    department: str
    plan_title: str
    plan_revision: str  # 「第1次改定」, empty for the baseline
    years: tuple[PublicYear, ...]
    kpis: tuple[PublicKpi, ...]
    reports: tuple[PublicReport, ...]  # confirmed only, oldest first
    timeline: tuple[PublicEvent, ...]

    @property
    def latest_report(self) -> PublicReport | None:
        return self.reports[-1] if self.reports else None

    @property
    def budget_total(self) -> int | None:
        return sum(y.amount for y in self.years) if self.years else None

    def get_absolute_url(self):
        return reverse("public:detail", args=[self.pk])


def public_queryset():
    """What the city shows citizens: marked public, and decided (the constraint agrees)."""
    return Initiative.objects.filter(is_public=True, status__in=PUBLISHABLE)


def _prefetched(queryset, *, detail):
    """Only the columns the projection reads, in a fixed number of queries."""
    reports = ProgressReport.objects.filter(status=ProgressReport.Status.CONFIRMED).only(
        "id", "entry_id", "fiscal_year", "period", "evaluation", "progress_percent", "status"
    )
    revisions = PlanRevision.objects.only("id", "entry_id", "number").prefetch_related(
        Prefetch(
            "years",
            queryset=PlanYear.objects.only(
                "id", "revision_id", "fiscal_year", "planned", "amount"
            ).order_by("fiscal_year"),
        )
    )
    if detail:
        reports = reports.prefetch_related(
            Prefetch(
                "kpi_actuals",
                queryset=KpiActual.objects.select_related("kpi").only(
                    "id", "report_id", "value", "kpi__id", "kpi__number"
                ),
            )
        )
        revisions = revisions.prefetch_related(
            Prefetch("kpis", queryset=Kpi.objects.order_by("number"))
        )
    entries = (
        PlanEntry.objects.select_related("owner", "owner__parent", "plan")
        .only(
            "id",
            "initiative_id",
            "owner__name",
            "owner__parent__name",
            "plan__title",
            "plan__start_fiscal_year",
        )
        .order_by("plan__start_fiscal_year", "pk")
        .prefetch_related(
            Prefetch("revisions", queryset=revisions.order_by("number")),
            Prefetch("reports", queryset=reports),
        )
    )
    lookups = [Prefetch("plan_entries", queryset=entries)]
    if detail:
        lookups.append(
            Prefetch(
                "transitions",
                queryset=Transition.objects.filter(to_status__in=PUBLIC_EVENTS)
                .only("id", "initiative_id", "to_status", "created_at")
                .order_by("created_at", "pk"),
                to_attr="public_transitions",
            )
        )
    return (
        queryset.select_related("policy", "department", "department__parent")
        .only(
            "id",
            "title",
            "public_summary",
            "status",
            "is_public",
            "policy__number",
            "policy__name",
            "department__name",
            "department__parent__name",
        )
        .prefetch_related(*lookups)
    )


def _report_key(report):
    return (report.fiscal_year, PERIOD_ORDER.get(report.period, 1))


def _project(initiative, *, detail) -> PublicInitiative:
    entries = list(initiative.plan_entries.all())
    current_entry = entries[-1] if entries else None
    revision = None
    if current_entry is not None:
        revisions = list(current_entry.revisions.all())
        revision = revisions[-1] if revisions else None
    reports = sorted(
        (r for e in entries for r in e.reports.all()), key=lambda r: (*_report_key(r), r.pk)
    )
    years = tuple(
        PublicYear(y.fiscal_year, y.planned, y.amount)
        for y in (revision.years.all() if revision else ())
    )
    kpis = ()
    timeline = ()
    if detail:
        kpis = _kpis(current_entry, revision)
        timeline = tuple(
            PublicEvent(timezone.localtime(t.created_at).date(), t.to_status, S(t.to_status).label)
            for t in initiative.public_transitions
        )
    department = current_entry.owner if current_entry else initiative.department
    return PublicInitiative(
        pk=initiative.pk,
        title=initiative.title,
        summary=initiative.public_summary,
        status=initiative.status,
        status_label=initiative.get_status_display(),
        policy_number=initiative.policy.number if initiative.policy else None,
        policy_name=initiative.policy.name if initiative.policy else "",
        department=department.full_name,
        plan_title=current_entry.plan.title if current_entry else "",
        plan_revision=str(revision) if revision and not revision.is_baseline else "",
        years=years,
        kpis=kpis,
        reports=tuple(
            PublicReport(
                fiscal_year=r.fiscal_year,
                period=r.period,
                period_label=ReportSchedule.Period(r.period).label,
                evaluation=r.evaluation,
                evaluation_label=r.get_evaluation_display() if r.evaluation else "",
                progress_percent=r.progress_percent,
            )
            for r in reports
        ),
        timeline=timeline,
    )


def _kpis(entry, revision):
    """The current revision's KPIs with the latest confirmed actual of each (by KPI number)."""
    if revision is None:
        return ()
    latest = {}
    for report in sorted(entry.reports.all(), key=_report_key):
        for actual in report.kpi_actuals.all():
            latest[actual.kpi.number] = (actual.value, report.fiscal_year)
    out = []
    for k in revision.kpis.all():
        value, year = latest.get(k.number, (None, None))
        out.append(
            PublicKpi(
                indicator=k.indicator,
                unit=k.unit,
                baseline_value=k.baseline_value,
                baseline_year=k.baseline_year,
                target_value=k.target_value,
                target_year=k.target_year,
                actual_value=value,
                actual_fiscal_year=year,
            )
        )
    return tuple(out)


def ordered(queryset):
    """By 基本方針 number (未分類 last), then title."""
    return queryset.order_by(F("policy__number").asc(nulls_last=True), "title", "pk")


def public_initiatives(queryset=None) -> list[PublicInitiative]:
    """Public initiatives (all, or those of `queryset`), by 基本方針 then title."""
    queryset = public_queryset() if queryset is None else queryset
    return [_project(i, detail=False) for i in _prefetched(ordered(queryset), detail=False)]


def public_initiative(pk) -> PublicInitiative | None:
    """One public initiative with its KPIs and timeline, or None if it is not public."""
    initiative = _prefetched(public_queryset().filter(pk=pk), detail=True).first()
    return _project(initiative, detail=True) if initiative else None


@dataclasses.dataclass
class PolicyGroup:
    number: int | None
    name: str
    initiatives: list

    @property
    def label(self):
        return f"方針{self.number} {self.name}" if self.number is not None else "未分類"

    @property
    def slug(self):
        return f"policy-{self.number}" if self.number is not None else "policy-none"


def by_policy(records) -> list[PolicyGroup]:
    """Group records (already ordered by policy number, 未分類 last) by 基本方針."""
    groups: dict[tuple, PolicyGroup] = {}
    for r in records:
        key = (r.policy_number, r.policy_name)
        if key not in groups:
            groups[key] = PolicyGroup(r.policy_number, r.policy_name, [])
        groups[key].initiatives.append(r)
    return list(groups.values())


# --- Open data ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Field:
    key: str  # JSON key
    header: str  # CSV column
    type: str  # 整数 / 文字列, "（空欄あり）" when it may be missing
    description: str
    get: Callable[[PublicInitiative, Callable[[str], str]], object]


def _latest(attr):
    def get(r, _url):
        report = r.latest_report
        value = getattr(report, attr) if report else None
        return None if value in (None, "") else value

    return get


FIELDS = (
    Field("id", "ID", "整数", "取組項目の番号。詳細ページのURLにも使われます。", lambda r, _: r.pk),
    Field("title", "取組名", "文字列", "取組の名称。", lambda r, _: r.title),
    Field(
        "summary",
        "概要",
        "文字列",
        "取組の内容を平易な言葉で説明したもの（市が公開用に作成）。",
        lambda r, _: r.summary,
    ),
    Field(
        "status",
        "状態コード",
        "文字列",
        "取組の状態を表す英字の記号。decided（決定）、department_led（所管課推進）、"
        "planned（実施計画登載）、in_progress（推進中）、completed（完了）、cancelled（中止）のいずれか。",
        lambda r, _: r.status,
    ),
    Field("status_label", "状態", "文字列", "取組の状態（日本語）。", lambda r, _: r.status_label),
    Field(
        "policy_number",
        "基本方針番号",
        "整数（空欄あり）",
        "取組が位置付けられたDX推進方針の基本方針の番号。未分類の場合は空欄（JSONではnull）。",
        lambda r, _: r.policy_number,
    ),
    Field(
        "policy_name",
        "基本方針",
        "文字列（空欄あり）",
        "基本方針の名称。未分類の場合は空欄（JSONではnull）。",
        lambda r, _: r.policy_name or None,
    ),
    Field(
        "department",
        "担当部署",
        "文字列",
        "取組を担当する部署の名称（実施計画に位置付けられたものはその担当課、それ以外は提案した部署）。",
        lambda r, _: r.department,
    ),
    Field(
        "plan_title",
        "実施計画",
        "文字列（空欄あり）",
        "取組が位置付けられている総合計画実施計画の名称（最新のもの）。位置付けがない場合は空欄（JSONではnull）。",
        lambda r, _: r.plan_title or None,
    ),
    Field(
        "budget_total",
        "予算額合計（円）",
        "整数（空欄あり）",
        "実施計画の現在の計画（最新の改定）に記載された年度別予算額の合計（円）。位置付けがない場合は空欄（JSONではnull）。",
        lambda r, _: r.budget_total,
    ),
    Field(
        "report_fiscal_year",
        "進捗報告の年度",
        "整数（空欄あり）",
        "市が確認した最新の進捗報告の年度（西暦の年度。例: 2026は令和8年度）。報告がない場合は空欄（JSONではnull）。",
        _latest("fiscal_year"),
    ),
    Field(
        "report_period",
        "進捗報告の期間",
        "文字列（空欄あり）",
        "最新の進捗報告の期間。通年、上半期、下半期のいずれか。報告がない場合は空欄（JSONではnull）。",
        _latest("period_label"),
    ),
    Field(
        "progress_percent",
        "進捗率（％）",
        "整数（空欄あり）",
        "最新の確認済み進捗報告の進捗率（0〜100）。報告がない場合は空欄（JSONではnull）。",
        _latest("progress_percent"),
    ),
    Field(
        "evaluation",
        "評価コード",
        "文字列（空欄あり）",
        "最新の確認済み進捗報告の評価。A（順調）、B（おおむね順調）、C（遅れ）、D（大幅遅れ）のいずれか。報告がない場合は空欄（JSONではnull）。",
        _latest("evaluation"),
    ),
    Field(
        "evaluation_label",
        "評価",
        "文字列（空欄あり）",
        "評価の日本語表記（例:「B おおむね順調」）。報告がない場合は空欄（JSONではnull）。",
        _latest("evaluation_label"),
    ),
    Field(
        "url",
        "詳細ページURL",
        "文字列",
        "この取組の公開ページのURL。",
        lambda r, absolute: absolute(r.get_absolute_url()),
    ),
)
CSV_HEADERS = [f.header for f in FIELDS]


def open_data_rows(records, absolute) -> list[dict]:
    """{key: value} per record; `absolute` turns a path into an absolute URL."""
    return [{f.key: f.get(r, absolute) for f in FIELDS} for r in records]
