"""Reads of the plan and of the follow-up: entries with their revisions, the plan as now
against the baseline, and which reports are due. No writes here (see services)."""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Prefetch

from core import audit
from core.models import AuditEvent
from initiatives.workflow import ACTIVE

from .models import Kpi, PlanEntry, PlanRevision, PlanYear, ProgressReport, ReportSchedule
from .workflow import DELIVERED_REPORT_STATES, ReportStatus

# How far ahead a report shows as coming due on the lists (the workbook takes every one).
DUE_HORIZON = datetime.timedelta(days=60)
# Reports of a fiscal year, oldest first: 上半期, 通年, 下半期.
PERIOD_ORDER = {"h1": 0, "year": 1, "h2": 2}


def report_periods():
    """The periods a fiscal year is reported in: the whole year, or two halves (setting)."""
    if settings.REPORT_PERIODS == "half":
        return (ReportSchedule.Period.FIRST_HALF, ReportSchedule.Period.SECOND_HALF)
    return (ReportSchedule.Period.YEAR,)


def entries_with_plans(queryset):
    """Entries with every revision's years and KPIs prefetched (a fixed number of queries)."""
    return queryset.select_related(
        "initiative", "initiative__policy", "owner", "owner__parent", "plan"
    ).prefetch_related(
        Prefetch(
            "revisions",
            queryset=PlanRevision.objects.order_by("number").prefetch_related(
                Prefetch("years", queryset=PlanYear.objects.order_by("fiscal_year")),
                Prefetch("kpis", queryset=Kpi.objects.order_by("number")),
            ),
        )
    )


def entry_with_plans(pk) -> PlanEntry | None:
    return entries_with_plans(PlanEntry.objects.filter(pk=pk)).first()


def baseline_and_current(entry):
    """(baseline, current) revisions of a prefetched entry."""
    revisions = list(entry.revisions.all())
    return revisions[0], revisions[-1]


def planned_text(revision, fiscal_year) -> str | None:
    """What a revision plans for a fiscal year (prefetched: no query)."""
    return next((y.planned for y in revision.years.all() if y.fiscal_year == fiscal_year), None)


@dataclasses.dataclass
class PlanView:
    """An entry's plan as the pages show it: the current revision beside the baseline, over
    the union of both revisions' years and KPIs."""

    entry: PlanEntry
    baseline: PlanRevision
    current: PlanRevision
    compare_years: list  # [(fiscal_year, current PlanYear | None, baseline PlanYear | None)]
    compare_kpis: list  # [(number, current Kpi | None, baseline Kpi | None)]

    @property
    def years(self):
        """{fiscal_year: PlanYear} of the current plan."""
        return {y.fiscal_year: y for y in self.current.years.all()}

    @property
    def revisions(self):
        """The revisions after the baseline, oldest first."""
        return list(self.entry.revisions.all())[1:]


def _pair(key, now, then):
    now, then = {key(x): x for x in now}, {key(x): x for x in then}
    return [(k, now.get(k), then.get(k)) for k in sorted(now.keys() | then.keys())]


def plan_view(entry) -> PlanView:
    """The comparison of a prefetched entry (no queries)."""
    baseline, current = baseline_and_current(entry)
    return PlanView(
        entry=entry,
        baseline=baseline,
        current=current,
        compare_years=_pair(lambda y: y.fiscal_year, current.years.all(), baseline.years.all()),
        compare_kpis=_pair(lambda k: k.number, current.kpis.all(), baseline.kpis.all()),
    )


def plan_views(entries) -> list[PlanView]:
    return [plan_view(entry) for entry in entries_with_plans(entries)]


@dataclasses.dataclass
class DueReport:
    entry: PlanEntry
    fiscal_year: int
    period: str
    due_on: datetime.date
    report: ProgressReport | None

    def is_overdue(self, today):
        return self.due_on < today

    @property
    def period_label(self):
        return ReportSchedule.Period(self.period).label


def due_reports(today, *, department=None, include_future=False):
    """Reports not yet submitted whose due date has come or is the next one, oldest first.

    A report is due for every fiscal year the entry's current plan has, once that year has a
    due date in ReportSchedule. Four queries however many entries there are.
    """
    entries = PlanEntry.objects.filter(initiative__status__in=ACTIVE)
    if department is not None:
        entries = entries.filter(owner=department)
    entries = list(entries_with_plans(entries))
    schedules = {(s.fiscal_year, s.period): s.due_on for s in ReportSchedule.objects.all()}
    reports = {
        (r.entry_id, r.fiscal_year, r.period): r
        for r in ProgressReport.objects.filter(entry__in=[e.pk for e in entries])
    }
    out = []
    for entry in entries:
        _, current = baseline_and_current(entry)
        for year in current.years.all():
            for period in report_periods():
                due_on = schedules.get((year.fiscal_year, period))
                if due_on is None:
                    continue
                report = reports.get((entry.pk, year.fiscal_year, period))
                if report is not None and report.status in DELIVERED_REPORT_STATES:
                    continue
                if not include_future and due_on > today + DUE_HORIZON:
                    continue
                out.append(DueReport(entry, year.fiscal_year, period, due_on, report))
    out.sort(key=lambda d: (d.due_on, d.entry.owner.order, d.entry.pk))
    return out


def report_owners(entry):
    """Who writes the entry's reports: the owning department's promoters, and the proposer."""
    from django.contrib.auth import get_user_model

    promoters = get_user_model().objects.promoters_of([entry.owner_id])
    return [*promoters, entry.initiative.proposer]


def report_timeline(report):
    """The report's state changes, oldest first."""
    events = AuditEvent.objects.for_object(report).of("report.transition")
    return audit.status_timeline(events, lambda status: ReportStatus(status).label)
