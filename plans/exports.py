"""A plan edition in the layout cities publish: 取組 / 担当課 / 年度別計画と予算 / 指標・目標値 /
実績 / 評価 — as Excel and as CSV (UTF-8 with BOM)."""

from core.fiscal import wareki_fiscal_year
from core.formatting import decimal_text
from core.spreadsheets import csv_lines, xlsx_file

from .models import KpiActual, ProgressReport


def headers(plan):
    cols = ["基本方針", "取組", "担当課", "由来"]
    for fy in plan.fiscal_years:
        label = wareki_fiscal_year(fy)
        cols += [f"{label} 計画", f"{label} 予算額（円）"]
    cols += ["指標・目標値"]
    for fy in plan.fiscal_years:
        label = wareki_fiscal_year(fy)
        cols += [f"{label} 実績", f"{label} 評価"]
    return cols


def _confirmed(entry_ids):
    """Confirmed reports by (entry, fiscal year) and their KPI actuals: two queries."""
    reports = {}
    for report in ProgressReport.objects.filter(
        entry_id__in=entry_ids, status=ProgressReport.Status.CONFIRMED
    ).order_by("fiscal_year", "period"):
        reports.setdefault((report.entry_id, report.fiscal_year), []).append(report)
    actuals = {}
    for actual in KpiActual.objects.filter(
        report__entry_id__in=entry_ids, report__status=ProgressReport.Status.CONFIRMED
    ).select_related("kpi", "report"):
        key = (actual.report.entry_id, actual.report.fiscal_year, actual.kpi.number)
        actuals[key] = actual.value
    return reports, actuals


def _kpi_targets(kpis):
    return "\n".join(
        f"{k.indicator}（{k.unit}）: 基準 {decimal_text(k.baseline_value)}（{k.baseline_year}年度）"
        f" → 目標 {decimal_text(k.target_value)}（{k.target_year}年度）"
        for k in kpis
    )


def table(plan, views):
    """Header and one list per entry (`views`: queries.PlanView)."""
    reports, actuals = _confirmed([v.entry.pk for v in views])
    yield headers(plan)
    for view in views:
        entry, kpis, years = view.entry, list(view.current.kpis.all()), view.years
        initiative = entry.initiative
        out = [
            str(initiative.policy) if initiative.policy else "",
            initiative.title,
            entry.owner.full_name,
            entry.get_origin_display(),
        ]
        for fy in plan.fiscal_years:
            year = years.get(fy)
            out += [year.planned if year else "", year.amount if year else None]
        out.append(_kpi_targets(kpis))
        for fy in plan.fiscal_years:
            done = reports.get((entry.pk, fy), [])
            texts = [r.done for r in done if r.done]
            texts += [
                f"{k.indicator}: {decimal_text(actuals[(entry.pk, fy, k.number)])}{k.unit}"
                for k in kpis
                if (entry.pk, fy, k.number) in actuals
            ]
            out += ["\n".join(texts), " / ".join(r.get_evaluation_display() for r in done)]
        yield out


def plan_xlsx(plan, views):
    return xlsx_file([(plan.title[:31], table(plan, views))])


def plan_csv(plan, views):
    return csv_lines(table(plan, views))
