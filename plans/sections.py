"""The plan's part of an initiative's page (composed by yachiyo_dx.initiative_page)."""

from django.db.models import Prefetch
from django.urls import reverse

from core.fiscal import format_fiscal_year
from initiatives.workflow import PLACEABLE

from . import access, queries
from .models import ProgressReport, ReportSchedule


def _report_links(entry, current, periods):
    """(label, url) of the reports the department may start, a year (and half) at a time."""
    links = []
    for year in current.years.all():
        for period in periods:
            label = format_fiscal_year(year.fiscal_year)
            if period != ReportSchedule.Period.YEAR:
                label += f"（{ReportSchedule.Period(period).label}）"
            url = reverse("plans:report_edit", args=[entry.pk, year.fiscal_year, period])
            links.append((label, url))
    return links


def plan_section(request, initiative) -> dict:
    """The initiative's plan entries with baseline, current plan and reports (fixed queries)."""
    user = request.user
    entries = queries.entries_with_plans(initiative.plan_entries.all()).prefetch_related(
        Prefetch("reports", queryset=ProgressReport.objects.order_by("fiscal_year", "period"))
    )
    out = []
    for entry in entries:
        view = queries.plan_view(entry)
        can_write = access.can_report_on(user, entry)
        out.append(
            {
                "plan": view,
                "reports": list(entry.reports.all()),
                "report_links": _report_links(entry, view.current, queries.report_periods())
                if can_write
                else [],
            }
        )
    return {
        "plan_entries": out,
        "can_place": user.is_secretariat and initiative.status in PLACEABLE,
        "can_revise": user.is_secretariat,
    }
