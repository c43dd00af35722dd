"""Migrations are safe to deploy and reversible."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_migration_linter import MigrationLinter

OUR_APPS = ["core", "policies", "accounts", "initiatives", "reviews", "plans", "yachiyo_dx"]
PRE_RELEASE = [
    "0002_historicalinitiative_consolidated_into_and_more",
    "0003_implementationplan_kpi_kpiactual_planentry_and_more",
    "0004_ownershiptransfer_reportreminder_reminder_once_a_day_and_more",
]
# A NOT NULL column added with a database default is safe (older inserts get the default),
# and the PostgreSQL linter passes it; SQLite adds it by rebuilding the table, which the
# SQLite linter reads as a new NOT NULL column whatever the default. So does a column made
# nullable (0005_next_edition: a draft edition has no adoption date), for the same rebuild.
SQLITE_REBUILD_WITH_DEFAULT = (
    ["0008_public_title", "0006_kpi_allows_negative", "0005_next_edition"]
    if connection.vendor == "sqlite"
    else []
)
# Changes an older version running beside the new one cannot take: the release that brings
# them is applied with the app servers stopped (docs/production.md, 11章「停止が必要」).
STOP_REQUIRED = {
    # The three trails become the one audit log: their tables go once copied.
    "0005_audit_events": "drops initiatives_transition, _reportevent, _ownershiptransfer",
    # The linter reads "progress_percent IS NOT NULL" in the rebuilt check as a NOT NULL
    # column; the check only adds `done`, which every submitted report already has.
    "0002_report_submitted_is_complete": "rebuilds a check constraint",
    # Roles become data: new NOT NULL columns the older code does not fill, and the groups it
    # reads are gone; a channel's eligible_role (read by the older code) gives way to proposed_by.
    "0004_roles_as_functions": "adds the role columns of accounts_user, drops the role groups",
    "0003_city_names_and_flow": "adds the city's names, drops policies_channel.eligible_role",
}


@pytest.mark.django_db(transaction=True)
def test_migration_linter_finds_no_backward_incompatible_change():
    linter = MigrationLinter(
        include_apps=OUR_APPS,
        # Creating the first tables of an app cannot break a running older version.
        ignore_initial_migrations=True,
        # Written before the first release (never deployed, so no older version runs beside
        # them); the linter reads their new tables' foreign keys as NOT NULL additions.
        # Every migration from here on is linted.
        ignore_name=[*PRE_RELEASE, *STOP_REQUIRED, *SQLITE_REBUILD_WITH_DEFAULT],
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


def test_the_releases_that_need_a_stop_say_so():
    guide = (Path(__file__).resolve().parent.parent / "docs" / "production.md").read_text()
    for name in STOP_REQUIRED:
        assert name in guide, f"{name}: say in docs/production.md that it needs the stop"
