"""The plan's part of an initiative's page (composed by yachiyo_dx.initiative_page)."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from core.fiscal import format_fiscal_year
from initiatives.models import Initiative
from initiatives.workflow import PLACEABLE

from . import access, follow_up, queries
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
        **_notes_section(user, initiative, placed=bool(out)),
    }


def _notes_section(user, initiative, *, placed):
    """A department-led item's progress notes, the next due date and who may add one."""
    notes = list(initiative.progress_notes.select_related("author").order_by("-recorded_on", "-pk"))
    followed = not placed and initiative.status in follow_up.NOTE_STATES
    due = (
        follow_up.notes_due(queryset=Initiative.objects.filter(pk=initiative.pk))
        if followed
        else []
    )
    return {
        "progress_notes": notes,
        "note_due": due[0] if due else None,
        "note_overdue": bool(due) and due[0].is_overdue(timezone.localdate()),
        "can_note": followed and follow_up.can_write_note(user, initiative),
    }
