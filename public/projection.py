"""What citizens may see of an initiative that the secretariat has published.

Citizens see an initiative only once the city has decided on it (PUBLISHABLE) and the secretariat
has marked it public with a plain-language summary. The public pages and the open data never
read an Initiative directly: they read a `PublicInitiative`, a projection that holds only the
fields listed here (title, summary, state, 基本方針, owning department, the current plan's
years and budget, KPIs, confirmed reports' evaluation and progress, and the dates of public
state changes). Comments, review notes, checklist answers, attachments, people's names,
現状と課題 and the proposal's costs are never fetched into it, so no template can show them.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils import timezone

from core.formatting import decimal_text
from core.models import AuditEvent
from initiatives import workflow
from initiatives.models import Initiative
from plans.models import (
    Kpi,
    KpiActual,
    PlanEntry,
    PlanRevision,
    PlanYear,
    ProgressNote,
    ProgressReport,
    ReportSchedule,
)
from plans.queries import PERIOD_ORDER

S = Initiative.Status


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
        return f"{decimal_text(value, grouping=True)}{self.unit}" if value is not None else ""

    @property
    def baseline_display(self):
        return self._show(self.baseline_value)

    @property
    def target_display(self):
        return self._show(self.target_value)

    @property
    def actual_display(self):
        return self._show(self.actual_value)


@dataclasses.dataclass(frozen=True)
class PublicReport:
    fiscal_year: int
    period: str
    period_label: str
    evaluation: str
    evaluation_label: str
    progress_percent: int | None


@dataclasses.dataclass(frozen=True)
class PublicNote:
    """A department-led item's progress note as citizens see it: its date and progress only
    (what the department wrote stays internal)."""

    recorded_on: datetime.date
    progress_percent: int


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
    notes: tuple[PublicNote, ...]  # a department-led item's progress notes, oldest first
    timeline: tuple[PublicEvent, ...]

    @property
    def latest_report(self) -> PublicReport | None:
        return self.reports[-1] if self.reports else None

    @property
    def latest_note(self) -> PublicNote | None:
        return self.notes[-1] if self.notes else None

    @property
    def latest_progress(self) -> int | None:
        """The latest confirmed report's progress, else the latest note's."""
        report = self.latest_report
        if report is not None and report.progress_percent is not None:
            return report.progress_percent
        note = self.latest_note
        return note.progress_percent if note else None

    @property
    def budget_total(self) -> int | None:
        return sum(y.amount for y in self.years) if self.years else None

    @property
    def tone(self):
        return workflow.tone(self.status)

    def get_absolute_url(self):
        return reverse("public:detail", args=[self.pk])


def public_queryset():
    """What the city shows citizens: marked public, and decided (the constraint agrees)."""
    return Initiative.objects.filter(is_public=True, status__in=workflow.PUBLISHABLE)


def _entries(*, detail):
    """Plan entries with their revisions' years and confirmed reports (KPIs on a detail page)."""
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
    return (
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


def _prefetched(queryset, *, detail):
    """Only the columns the projection reads, in a fixed number of queries."""
    return (
        queryset.select_related("policy", "department", "department__parent")
        .only(
            "id",
            "title",
            "public_title",
            "public_summary",
            "status",
            "is_public",
            "policy__number",
            "policy__name",
            "department__name",
            "department__parent__name",
        )
        .prefetch_related(
            Prefetch("plan_entries", queryset=_entries(detail=detail)),
            Prefetch(
                "progress_notes",
                queryset=ProgressNote.objects.only(
                    "id", "initiative_id", "recorded_on", "progress_percent"
                ).order_by("recorded_on", "pk"),
            ),
        )
    )


def _public_timeline(initiative):
    """The dates it reached each state citizens may know of (one query)."""
    events = (
        AuditEvent.objects.for_object(initiative)
        .of("initiative.transition")
        .filter(after__status__in=workflow.PUBLIC_EVENTS)
        .only("after", "created_at")
    )
    return tuple(
        PublicEvent(
            timezone.localtime(e.created_at).date(),
            e.after["status"],
            workflow.PUBLIC_LABELS[e.after["status"]],
        )
        for e in events
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
        timeline = _public_timeline(initiative)
    department = current_entry.owner if current_entry else initiative.department
    return PublicInitiative(
        pk=initiative.pk,
        title=initiative.public_title or initiative.title,
        summary=initiative.public_summary,
        status=initiative.status,
        status_label=workflow.PUBLIC_LABELS[initiative.status],
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
        notes=tuple(
            PublicNote(n.recorded_on, n.progress_percent) for n in initiative.progress_notes.all()
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
