"""Migrations are safe to deploy and reversible."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_migration_linter import MigrationLinter

OUR_APPS = ["policies", "accounts", "initiatives", "reviews"]
PRE_RELEASE = [
    "0002_historicalinitiative_consolidated_into_and_more",
    "0003_implementationplan_kpi_kpiactual_planentry_and_more",
    "0004_ownershiptransfer_reportreminder_reminder_once_a_day_and_more",
]


@pytest.mark.django_db(transaction=True)
def test_migration_linter_finds_no_backward_incompatible_change():
    linter = MigrationLinter(
        include_apps=OUR_APPS,
        # Creating the first tables of an app cannot break a running older version.
        ignore_initial_migrations=True,
        # Written before the first release (never deployed, so no older version runs beside
        # them); the linter reads their new tables' foreign keys as NOT NULL additions.
        # Every migration from here on is linted.
        ignore_name=PRE_RELEASE,
        no_cache=True,
        no_output=True,
    )
    linter.lint_all_migrations()
    assert not linter.has_errors, [str(m) for m in getattr(linter, "failed_migrations", [])]


@pytest.mark.django_db(transaction=True)
def test_every_migration_is_reversible():
    # Unapplying our first app unapplies everything that depends on it (admin, history...).
    for app in reversed(OUR_APPS):
        call_command("migrate", app, "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
