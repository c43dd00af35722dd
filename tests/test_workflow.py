"""The table of allowed transitions, walked for every rule and every role."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection

from accounts import roles
from core.models import AuditEvent
from initiatives import services, workflow
from initiatives.models import Initiative

from .factories import make_initiative, transitions

S = Initiative.Status
NAMED = ["proposer", "promoter", "outsider", "reviewer", "hq", "council", "counter_member"]


@pytest.fixture
def people(proposer, promoter, outsider, reviewer, hq, council, counter_member):
    return {
        "proposer": proposer,
        "promoter": promoter,
        "outsider": outsider,
        "reviewer": reviewer,
        "hq": hq,
        "council": council,
        "counter_member": counter_member,
    }


def expected_actors(rule):
    """Which named users the table lets take a rule (derived independently of is_actor)."""
    names = set()
    if workflow.PROPOSER in rule.actors:
        names.add("proposer")
    if workflow.PROMOTER in rule.actors:
        names.add("promoter")
    if roles.SECRETARIAT in rule.actors:
        names.add("reviewer")
    if roles.HEADQUARTERS in rule.actors:
        names.add("hq")
    if roles.COUNCIL in rule.actors:
        names.add("council")
    return names


@pytest.mark.django_db
@pytest.mark.parametrize("rule", workflow.RULES, ids=lambda r: f"{r.source}->{r.target}")
def test_every_rule_is_taken_only_by_its_roles(people, rule):
    allowed = expected_actors(rule)
    assert allowed, f"nobody may take {rule}"
    for name in NAMED:
        initiative = make_initiative(people["proposer"], status=rule.source, complete=False)
        changes = {}
        if rule.source == S.CONSOLIDATED:
            changes["consolidated_into"] = None
        if rule.target == S.CONSOLIDATED:
            changes["consolidated_into"] = make_initiative(
                people["proposer"], status=S.SUBMITTED, complete=False
            )
        before = AuditEvent.objects.count()
        if name in allowed:
            event = services.transition(
                initiative,
                to=rule.target,
                actor=people[name],
                comment="理由",
                changes=changes,
                service=rule.service,
            )
            initiative.refresh_from_db()
            assert initiative.status == rule.target
            assert (event.actor, event.before["status"], event.after["status"], event.comment) == (
                people[name],
                rule.source,
                rule.target,
                "理由",
            )
            assert event.actor_name == people[name].display_name
        else:
            with pytest.raises(PermissionDenied):
                services.transition(
                    initiative,
                    to=rule.target,
                    actor=people[name],
                    comment="理由",
                    changes=changes,
                    service=rule.service,
                )
            initiative.refresh_from_db()
            assert initiative.status == rule.source
            assert AuditEvent.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rule", [r for r in workflow.RULES if r.service], ids=lambda r: f"{r.source}->{r.target}"
)
def test_a_rule_that_names_a_service_is_refused_to_anyone_else(people, rule):
    """Only the service a rule names takes it: not the generic transition, not another one."""
    initiative = make_initiative(people["proposer"], status=rule.source, complete=False)
    actor = people[sorted(expected_actors(rule))[0]]
    for service in ("", "another"):
        with pytest.raises(services.TransitionError, match="そのための画面"):
            services.transition(
                initiative, to=rule.target, actor=actor, comment="理由", service=service
            )
    initiative.refresh_from_db()
    assert initiative.status == rule.source


@pytest.mark.django_db
def test_transitions_outside_the_table_are_refused_for_everyone(people):
    pairs = {(r.source, r.target) for r in workflow.RULES}
    missing = [(a, b) for a in S.values for b in S.values if (a, b) not in pairs][:40]
    for source, target in missing:
        initiative = make_initiative(people["proposer"], status=source, complete=False)
        with pytest.raises(services.TransitionError):
            services.transition(initiative, to=target, actor=people["reviewer"], comment="x")
        initiative.refresh_from_db()
        assert initiative.status == source


@pytest.mark.django_db
def test_required_comment(people):
    initiative = make_initiative(people["proposer"], status=S.SUBMITTED)
    with pytest.raises(services.TransitionError, match="コメント"):
        services.transition(
            initiative, to=S.RETURNED, actor=people["reviewer"], comment="  ", service="review"
        )
    initiative.refresh_from_db()
    assert initiative.status == S.SUBMITTED


@pytest.mark.django_db
def test_expected_status_refuses_stale_actions(people):
    initiative = make_initiative(people["proposer"], status=S.SUBMITTED)
    services.transition(initiative, to=S.UNDER_REVIEW, actor=people["reviewer"], service="review")
    with pytest.raises(services.TransitionError, match="既に「審査中」"):
        services.transition(
            initiative,
            to=S.RETURNED,
            actor=people["reviewer"],
            comment="x",
            expected_status=S.SUBMITTED,
            service="review",
        )


@pytest.mark.django_db
def test_every_state_is_reachable_and_every_step_of_the_flow_exists():
    targets = {r.target for r in workflow.RULES} | {S.DRAFT}
    assert targets == set(S.values)


@pytest.mark.django_db(transaction=True)
def test_same_transition_from_many_threads_exactly_one_wins(master_data, departments):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers itself")
    from .conftest import make_user

    proposer = make_user("thread-proposer", departments["shimin_ka"], roles.STAFF)
    reviewer = make_user("thread-reviewer", departments["joho"], roles.STAFF, roles.SECRETARIAT)
    initiative = make_initiative(proposer, status=S.SUBMITTED)
    start = threading.Barrier(8)
    results = []

    def act():
        try:
            start.wait()
            services.transition(
                Initiative.objects.get(pk=initiative.pk),
                to=S.UNDER_REVIEW,
                actor=reviewer,
                expected_status=S.SUBMITTED,
                service="review",
            )
            results.append("ok")
        except services.TransitionError:
            results.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=act) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and results.count("refused") == 7
    events = transitions(initiative).filter(after__status=S.UNDER_REVIEW)
    assert events.count() == 1
    assert events.get().actor == reviewer
