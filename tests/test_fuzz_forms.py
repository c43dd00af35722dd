"""Every form fuzzed with generated input: never a 500, never a half-saved row."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initiatives.models import Attachment, Initiative, Milestone, SelfCheckAnswer
from plans.models import PlanEntry, ProgressReport
from policies.models import Body
from reviews import services as review_services
from reviews.models import Decision, Meeting

from .factories import make_initiative

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that breaks naive code: control characters, RTL marks, very long, formula starts.
text = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        ["", " ", "=1+1", "<script>alert(1)</script>", "\x00", "\u202e", "ｱｲｳ", "a" * 5000]
    ),
)
number = st.one_of(st.integers(min_value=-(10**15), max_value=10**15).map(str), text)
choice = st.one_of(st.sampled_from(["", "ok", "improve", "na", "draft", "999999", "-1", "A"]), text)


def counts():
    return (
        Initiative.objects.count(),
        Milestone.objects.count(),
        SelfCheckAnswer.objects.count(),
        Attachment.objects.count(),
        PlanEntry.objects.count(),
        ProgressReport.objects.count(),
        Meeting.objects.count(),
        Decision.objects.count(),
    )


def post_and_check(client, url, data):
    before = counts()
    response = client.post(url, data)
    assert response.status_code < 500
    if response.status_code != 302:
        assert counts() == before, f"half-saved after a refused POST: {data}"
    return response


@FUZZ
@given(
    title=text,
    channel=number,
    policy=number,
    examples=st.lists(number, max_size=3),
    cost=number,
    hours=number,
    kind=choice,
    fy=number,
    date=text,
    answer=choice,
    note=text,
    total=st.sampled_from(["0", "1", "2", "x", "-1", "1000"]),
)
def test_proposal_form(
    client,
    proposer,
    title,
    channel,
    policy,
    examples,
    cost,
    hours,
    kind,
    fy,
    date,
    answer,
    note,
    total,
):
    client.force_login(proposer)
    post_and_check(
        client,
        reverse("initiatives:create"),
        {
            "title": title,
            "channel": channel,
            "policy": policy,
            "examples": examples,
            "initial_cost": cost,
            "running_cost": cost,
            "staff_hours_saved": hours,
            "funding_sources": [answer],
            "milestones-TOTAL_FORMS": total,
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-kind": kind,
            "milestones-0-target_fiscal_year": fy,
            "milestones-0-target_date": date,
            "cases-TOTAL_FORMS": total,
            "cases-INITIAL_FORMS": "0",
            "cases-0-name": title,
            "cases-0-url": note,
            "check-answer_1": answer,
            "check-note_1": note,
        },
    )


@FUZZ
@given(comment=text, status=choice, kind=choice, reason=text)
def test_review_forms(client, proposer, reviewer, comment, status, kind, reason):
    item = make_initiative(proposer, status="under_review", complete=False)
    client.force_login(reviewer)
    for name, data in (
        ("reviews:return", {"comment": comment, "expected_status": status}),
        ("reviews:classify", {"kind": kind, "reason": reason, "expected_status": status}),
        ("reviews:checklist", {"review-answer_1": kind, "review-evidence_1": reason}),
    ):
        post_and_check(client, reverse(name, args=[item.pk]), data)


@FUZZ
@given(
    body=number, number_=number, held=text, place=text, outcome=choice, reason=text, conditions=text
)
def test_meeting_forms(
    client, proposer, reviewer, body, number_, held, place, outcome, reason, conditions
):
    client.force_login(reviewer)
    post_and_check(
        client,
        reverse("reviews:meeting_create"),
        {"body": body, "number": number_, "held_on": held, "place": place},
    )
    meeting = review_services.create_meeting(
        actor=reviewer,
        body=Body.objects.get(kind="headquarters"),
        held_on=datetime.date(2026, 6, 1),
    )
    item = make_initiative(proposer, status="hq_review", complete=False)
    agenda = review_services.add_agenda_item(meeting, actor=reviewer, initiative=item)
    prefix = f"item{agenda.pk}-"
    post_and_check(
        client,
        reverse("reviews:decision", args=[meeting.pk, agenda.pk]),
        {
            prefix + "outcome": outcome,
            prefix + "reason": reason,
            prefix + "conditions": conditions,
        },
    )
    post_and_check(
        client, reverse("reviews:agenda_add", args=[meeting.pk]), {"initiative": number_}
    )


@FUZZ
@given(
    originals=st.lists(number, max_size=3), primary=number, source=number, title=text, content=text
)
def test_consolidation_form(
    client, proposer, outsider, reviewer, originals, primary, source, title, content
):
    make_initiative(proposer, status="submitted", complete=False)
    client.force_login(reviewer)
    post_and_check(
        client,
        reverse("reviews:consolidate"),
        {
            "originals": originals,
            "primary": primary,
            "source": source,
            "title": title,
            "content": content,
        },
    )


@FUZZ
@given(summary=text, public=st.sampled_from(["", "on", "x"]))
def test_publication_form(client, proposer, reviewer, summary, public):
    item = make_initiative(proposer, status="decided", complete=False)
    client.force_login(reviewer)
    post_and_check(
        client,
        reverse("public:manage", args=[item.pk]),
        {"is_public": public, "public_summary": summary, "version": "1"},
    )


@FUZZ
@given(plan=number, owner=number, fy=number, planned=text, amount=number, unit=text, value=number)
def test_placement_form(client, proposer, reviewer, plan, owner, fy, planned, amount, unit, value):
    item = make_initiative(proposer, status="decided", complete=False)
    client.force_login(reviewer)
    post_and_check(
        client,
        reverse("plans:place", args=[item.pk]),
        {
            "plan": plan,
            "owner": owner,
            "years-TOTAL_FORMS": "1",
            "years-INITIAL_FORMS": "0",
            "years-0-fiscal_year": fy,
            "years-0-planned": planned,
            "years-0-amount": amount,
            "kpis-TOTAL_FORMS": "1",
            "kpis-INITIAL_FORMS": "0",
            "kpis-0-indicator": planned,
            "kpis-0-unit": unit,
            "kpis-0-baseline_value": value,
            "kpis-0-baseline_year": fy,
            "kpis-0-target_value": value,
            "kpis-0-target_year": fy,
        },
    )


@FUZZ
@given(
    done=text,
    amount=number,
    evaluation=choice,
    progress=number,
    risk=choice,
    kpi=number,
    version=number,
)
def test_report_form(
    client, proposer, reviewer, done, amount, evaluation, progress, risk, kpi, version
):
    from decimal import Decimal

    from plans import services as plans
    from plans.models import ImplementationPlan
    from policies.models import ComprehensivePlan, Measure

    plan, _ = ImplementationPlan.objects.get_or_create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        start_fiscal_year=2026,
        end_fiscal_year=2028,
        defaults={"title": "R8-R10"},
    )
    item = make_initiative(proposer, status="decided", complete=False)
    entry = plans.place(
        item,
        actor=reviewer,
        plan=plan,
        owner=item.department,
        years=[{"fiscal_year": 2026, "planned": "試行", "amount": 1}],
        kpis=[
            {
                "indicator": "件数",
                "unit": "件",
                "baseline_value": Decimal(1),
                "baseline_year": 2025,
                "target_value": Decimal(2),
                "target_year": 2026,
            }
        ],
    )
    client.force_login(proposer)
    post_and_check(
        client,
        reverse("plans:report_edit", args=[entry.pk, 2026, "year"]),
        {
            "done": done,
            "amount_spent": amount,
            "evaluation": evaluation,
            "progress_percent": progress,
            "risk": risk,
            "kpi_1": kpi,
            "version": version,
        },
    )
