"""A plan edition in the layout cities publish: 取組 / 担当課 / 年度別計画と予算 / 指標・目標値 /
実績 / 評価 — as Excel and as CSV (UTF-8 with BOM)."""

import csv
import tempfile

from openpyxl import Workbook

from policies.fiscal import wareki_fiscal_year

from .exports import neutralise
from .models import KpiActual, ProgressReport
from .plans import decimal_text


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


def table(plan, rows):
    """Header and one list per entry; reports and KPI actuals in two queries."""
    entry_ids = [r["entry"].pk for r in rows]
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

    yield headers(plan)
    for row in rows:
        entry, current, years = row["entry"], row["current"], row["years"]
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
        out.append(
            "\n".join(
                f"{k.indicator}（{k.unit}）: 基準 {decimal_text(k.baseline_value)}（{k.baseline_year}年度）"
                f" → 目標 {decimal_text(k.target_value)}（{k.target_year}年度）"
                for k in current.kpis.all()
            )
        )
        for fy in plan.fiscal_years:
            done = reports.get((entry.pk, fy), [])
            texts = [r.done for r in done if r.done]
            texts += [
                f"{k.indicator}: {decimal_text(actuals[(entry.pk, fy, k.number)])}{k.unit}"
                for k in current.kpis.all()
                if (entry.pk, fy, k.number) in actuals
            ]
            out += ["\n".join(texts), " / ".join(r.get_evaluation_display() for r in done)]
        yield [neutralise(v) for v in out]


def plan_xlsx(plan, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(plan.title[:31])
    for values in table(plan, rows):
        sheet.append(values)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


class _Echo:
    def write(self, value):
        return value


def plan_csv(plan, rows):
    writer = csv.writer(_Echo())
    first = True
    for values in table(plan, rows):
        line = writer.writerow(["" if v is None else v for v in values])
        yield ("\ufeff" + line) if first else line
        first = False
