"""A KPI value (baseline, target, actual) is not negative unless the KPI says it can be.

Counts, yen, hours and rates cannot fall below zero; an indicator that is itself a change
(増減数, 差分) can, and is marked `allows_negative`.
"""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from plans import services as plans
from plans import workbooks
from plans.forms import ReportForm
from plans.models import Kpi, KpiActual, PlanEntry, ProgressReport

from . import test_plans
from .test_plans import KPIS, YEARS, download, fill, fresh, report_values, upload

# The placement and report fixtures of the plans tests.
decided, edition, entry, schedule = (
    test_plans.decided,
    test_plans.edition,
    test_plans.entry,
    test_plans.schedule,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["baseline_value", "target_value"])
def test_a_negative_baseline_or_target_is_refused_and_nothing_is_placed(
    decided, reviewer, edition, field
):
    with pytest.raises(plans.PlanError, match="0以上"):
        plans.place(
            decided,
            actor=reviewer,
            plan=edition,
            owner=decided.department,
            years=YEARS,
            kpis=[{**KPIS[0], field: Decimal("-1")}],
        )
    assert not PlanEntry.objects.exists() and not Kpi.objects.exists()


def test_a_kpi_that_allows_negatives_takes_them(decided, reviewer, edition):
    change = {
        **KPIS[0],
        "indicator": "転入超過数",
        "unit": "人",
        "baseline_value": Decimal("-120"),
        "target_value": Decimal("0"),
        "allows_negative": True,
    }
    plans.place(
        decided, actor=reviewer, plan=edition, owner=decided.department, years=YEARS, kpis=[change]
    )
    assert Kpi.objects.get().baseline_value == Decimal("-120")


def test_the_database_refuses_a_negative_target_of_a_kpi_that_cannot_be_negative(entry):
    kpi = Kpi.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Kpi.objects.filter(pk=kpi.pk).update(target_value=Decimal("-0.01"))
    Kpi.objects.filter(pk=kpi.pk).update(allows_negative=True, target_value=Decimal("-0.01"))


def test_the_placement_page_explains_a_negative_target(client, decided, reviewer, edition):
    data = {
        "plan": edition.pk,
        "owner": decided.department_id,
        "years-TOTAL_FORMS": "1",
        "years-INITIAL_FORMS": "0",
        "years-0-fiscal_year": "2026",
        "years-0-planned": "試行",
        "years-0-amount": "100",
        "kpis-TOTAL_FORMS": "2",
        "kpis-INITIAL_FORMS": "0",
        "kpis-0-indicator": "申請件数",
        "kpis-0-unit": "件",
        "kpis-0-baseline_value": "10",
        "kpis-0-baseline_year": "2025",
        "kpis-0-target_value": "-5",
        "kpis-0-target_year": "2027",
    }
    client.force_login(reviewer)
    url = reverse("plans:place", args=[decided.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "この指標はマイナスになりません" in response.content.decode()
    assert not PlanEntry.objects.exists()
    # Marked as a change, the same value is taken; the second, empty row stays ignored.
    assert client.post(url, {**data, "kpis-0-allows_negative": "on"}).status_code == 302
    assert Kpi.objects.get().allows_negative is True


def test_a_negative_actual_is_refused_and_no_report_is_written(entry, proposer):
    kpi = fresh(entry).revisions.get().kpis.get()
    with pytest.raises(plans.PlanError, match="実績値は0以上"):
        plans.save_report(
            fresh(entry),
            actor=proposer,
            fiscal_year=2026,
            period="year",
            values=report_values(),
            kpi_values={kpi: Decimal("-1")},
        )
    assert not ProgressReport.objects.exists() and not KpiActual.objects.exists()


def test_the_report_form_refuses_a_negative_actual_in_japanese(entry):
    kpi = fresh(entry).revisions.get().kpis.get()
    form = ReportForm({**report_values(), "kpi_1": "-3"}, kpis=[kpi])
    assert not form.is_valid()
    assert "この指標はマイナスになりません" in form.errors["kpi_1"][0]
    kpi.allows_negative = True
    assert ReportForm({**report_values(), "kpi_1": "-3"}, kpis=[kpi]).is_valid()


def test_a_negative_actual_in_the_workbook_names_its_cell_and_saves_nothing(
    client, schedule, proposer
):
    workbook = download(client, proposer)
    fill(workbook[workbooks.REPORTS], 2)
    workbook[workbooks.KPIS].cell(row=2, column=6).value = -880
    response = upload(client, workbook)
    assert response.status_code == 200
    assert (
        f"「{workbooks.KPIS}」シート 2行目 F（実績値）列: 指標「会議録作成時間」（時間）はマイナスになりません。"
        in response.content.decode()
    )
    assert not ProgressReport.objects.exists() and not KpiActual.objects.exists()


def test_the_migration_keeps_a_negative_already_reported_by_marking_its_kpi(entry, proposer):
    """Before the rule a negative actual could be saved; the release must not fail on it."""
    report = plans.save_report(
        fresh(entry),
        actor=proposer,
        fiscal_year=2026,
        period="year",
        values=report_values(),
        kpi_values={},
    )
    kpi = Kpi.objects.get()
    KpiActual.objects.create(report=report, kpi=kpi, value=Decimal("-3"))  # as before the rule
    migration = import_module("plans.migrations.0006_kpi_allows_negative")
    migration.keep_existing_negatives(apps, None)
    kpi.refresh_from_db()
    assert kpi.allows_negative is True and KpiActual.objects.get().value == Decimal("-3")
