"""A database error at each query position inside each service leaves no partial state.

For every service, the same call is repeated with a failure injected at query 1, 2, 3, ...
until the call runs to its end without reaching the injected position. After every failed
attempt the database must be exactly as before: state, audit events and related rows all or
nothing.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import OperationalError, connection

from initiatives import services
from initiatives.publication import set_publication
from plans import queries as plan_queries
from plans import services as plans
from plans.models import ImplementationPlan, PlanEntry
from policies.models import Body, ComprehensivePlan, Measure
from reviews import services as review_services

from .factories import make_initiative

pytestmark = pytest.mark.django_db(transaction=True)
OUR_APPS = ("initiatives", "reviews", "policies", "accounts")


class Injected(OperationalError):
    pass


class FailAt:
    """A query wrapper that raises on the n-th query (1-based) it sees."""

    def __init__(self, n):
        self.n, self.seen = n, 0

    def __call__(self, execute, sql, params, many, context):
        self.seen += 1
        if self.seen == self.n:
            raise Injected(f"injected failure at query {self.n}")
        return execute(sql, params, many, context)


def snapshot():
    data = {}
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            data[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return data


def run_with_faults(call):
    """Call `call()` with a failure at every query position; return how many were tried."""
    n = 1
    while True:
        before = snapshot()
        fault = FailAt(n)
        try:
            # No transaction here: the service's own atomicity is what is under test.
            with connection.execute_wrapper(fault):
                call()
        except Injected:
            assert snapshot() == before, f"partial state after a failure at query {n}"
            n += 1
            continue
        return n - 1  # completed: the fault position was past the last query


@pytest.fixture
def setting(proposer, reviewer, hq, council, outsider, master_data):
    plan = ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="R8-R10",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    return {"plan": plan}


def test_submit_transition(proposer):
    item = make_initiative(proposer)
    assert run_with_faults(lambda: services.submit(item, actor=proposer)) >= 3


def test_return_classify_and_decide(proposer, reviewer, council, hq, setting):
    item = make_initiative(proposer, status="submitted")
    run_with_faults(
        lambda: review_services.return_for_revision(item, actor=reviewer, comment="直して")
    )
    item = make_initiative(proposer, status="under_review")
    answers = {i: ("ok", "") for i in item.edition.current_checklist().items.all()}
    run_with_faults(
        lambda: review_services.save_checklist_review(item, actor=reviewer, answers=answers)
    )
    run_with_faults(
        lambda: review_services.classify(item, actor=reviewer, kind="planned", reason="全庁")
    )
    meeting = review_services.create_meeting(
        actor=reviewer, body=Body.objects.get(kind="council"), held_on=datetime.date(2026, 5, 1)
    )
    agenda = review_services.add_agenda_item(meeting, actor=reviewer, initiative=item)
    run_with_faults(
        lambda: review_services.record_opinion(meeting, agenda.pk, actor=council, text="意見")
    )
    hq_meeting = review_services.create_meeting(
        actor=reviewer,
        body=Body.objects.get(kind="headquarters"),
        held_on=datetime.date(2026, 6, 1),
    )
    hq_item = review_services.add_agenda_item(hq_meeting, actor=reviewer, initiative=item)
    run_with_faults(
        lambda: review_services.record_decision(
            hq_meeting, hq_item.pk, actor=hq, outcome="decided", reason="効果"
        )
    )
    item.refresh_from_db()
    assert item.status == "decided"


def test_consolidation(proposer, outsider, reviewer):
    one = make_initiative(proposer, status="submitted")
    two = make_initiative(outsider, status="submitted")
    run_with_faults(
        lambda: review_services.consolidate(
            [one, two], actor=reviewer, source=one, title="統合", content="内容"
        )
    )


def test_placement_revision_reports_and_publication(proposer, reviewer, setting):
    item = make_initiative(proposer, status="decided")
    years = [{"fiscal_year": 2026, "planned": "試行", "amount": 100}]
    kpis = [
        {
            "indicator": "件数",
            "unit": "件",
            "baseline_value": Decimal(1),
            "baseline_year": 2025,
            "target_value": Decimal(2),
            "target_year": 2026,
        }
    ]
    run_with_faults(
        lambda: plans.place(
            item,
            actor=reviewer,
            plan=setting["plan"],
            owner=item.department,
            years=years,
            kpis=kpis,
        )
    )
    entry = PlanEntry.objects.get()
    run_with_faults(
        lambda: plans.revise(entry, actor=reviewer, reason="見直し", years=years, kpis=kpis)
    )

    def report():
        fresh = plan_queries.entries_with_plans(PlanEntry.objects.filter(pk=entry.pk)).get()
        kpi = list(fresh.revisions.all())[-1].kpis.get()
        return plans.save_report(
            fresh,
            actor=proposer,
            fiscal_year=2026,
            period="year",
            values={"done": "実施", "evaluation": "B", "progress_percent": 50},
            kpi_values={kpi: Decimal(2)},
        )

    run_with_faults(report)
    saved = entry.reports.get()
    run_with_faults(lambda: plans.submit_report(saved, actor=proposer))
    run_with_faults(lambda: plans.review_report(saved, actor=reviewer, confirm=True))
    run_with_faults(
        lambda: set_publication(item, actor=reviewer, is_public=True, summary="市民向けの説明")
    )
