"""The whole portal exported and re-imported (for SQLite-to-PostgreSQL moves)."""

import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from initiatives.models import Initiative
from plans import services as plans
from plans.models import ImplementationPlan
from policies.models import Body, ComprehensivePlan, Measure
from reviews import services as review_services

from .factories import make_initiative

MODELS = [
    "accounts.User",
    "auth.Group",
    "policies.PolicyEdition",
    "policies.ExampleInitiative",
    "policies.Department",
    "initiatives.Initiative",
    "core.AuditEvent",
    "initiatives.SelfCheckAnswer",
    "initiatives.Milestone",
    "initiatives.HistoricalInitiative",
    "plans.PlanEntry",
    "plans.PlanYear",
    "plans.Kpi",
    "reviews.Meeting",
    "reviews.AgendaItem",
]


def snapshot():
    out = {}
    for label in MODELS:
        model = apps.get_model(label)
        # Content types are recreated on the receiving side: compare them by natural key.
        fields = [
            f.attname if f.name != "content_type" else "content_type__model"
            for f in model._meta.concrete_fields
        ]
        out[label] = sorted(map(repr, model.objects.values_list(*fields)))
    out["user_groups"] = sorted(
        (u.username, tuple(sorted(u.groups.values_list("name", flat=True))))
        for u in apps.get_model("accounts.User").objects.all()
    )
    out["initiative_examples"] = sorted(
        (i.pk, tuple(sorted(i.examples.values_list("pk", flat=True))))
        for i in Initiative.objects.all()
    )
    return out


@pytest.mark.django_db(transaction=True)
def test_export_and_import_round_trip(tmp_path, proposer, reviewer, outsider):
    item = make_initiative(proposer, status="decided", title="往復する取組")
    make_initiative(outsider, status="submitted")
    edition = ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="R8-R10",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    plans.place(
        item,
        actor=reviewer,
        plan=edition,
        owner=item.department,
        years=[{"fiscal_year": 2026, "planned": "試行", "amount": 10}],
        kpis=[],
    )
    review_services.create_meeting(
        actor=reviewer, body=Body.objects.get(kind="council"), held_on=datetime.date(2026, 5, 1)
    )
    before = snapshot()
    path = tmp_path / "portal.xml"
    call_command("export_portal", str(path))
    assert path.stat().st_size > 1000

    with pytest.raises(CommandError, match="空ではありません"):
        call_command("import_portal", str(path))

    call_command("flush", "--no-input", verbosity=0)
    assert not Initiative.objects.exists()
    call_command("import_portal", str(path))
    assert snapshot() == before
    # New rows still get fresh ids after the import (sequences were reset).
    assert make_initiative(proposer).pk > max(
        i.pk for i in Initiative.objects.exclude(title="電子申請の拡充")
    )
