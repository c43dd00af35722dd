"""Each hand-off seen from the side that receives it: what one person sends shows on the home
page of the person who acts next, and goes once acted on (finding 4 of the hand-off issue)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from initiatives import services as initiative_services
from initiatives.models import Initiative
from plans import services as plans
from plans.models import ImplementationPlan, ReportSchedule
from policies.models import Body, ComprehensivePlan, Measure
from reviews import services as reviews
from yachiyo_dx.worklists import worklist

from .factories import make_initiative

pytestmark = pytest.mark.django_db
S = Initiative.Status
TODAY = timezone.localdate()


def count(user, words):
    """The count of the user's worklist row whose label contains `words` (None: no such row)."""
    rows = [w for w in worklist(user) if words in w.label]
    assert len(rows) <= 1, rows
    return rows[0].count if rows else None


def test_a_submission_reaches_the_secretariat_and_a_return_reaches_the_proposer(proposer, reviewer):
    item = make_initiative(proposer)
    assert count(reviewer, "審査を待つ") == 0
    initiative_services.transition(item, to=S.SUBMITTED, actor=proposer, service="submit")
    assert count(reviewer, "審査を待つ") == 1
    reviews.return_for_revision(item, actor=reviewer, comment="費用の根拠を書いてください")
    assert count(reviewer, "審査を待つ") == 0
    assert count(proposer, "差し戻されて") == 1
    notice = Notification.objects.get(recipient=proposer)
    assert item.get_absolute_url() in notice.url


def test_a_classified_item_waits_for_an_agenda_then_for_its_body(proposer, reviewer, council, hq):
    item = make_initiative(proposer, status=S.COUNCIL)
    assert count(reviewer, "議題に載っていない") == 1
    council_body = Body.objects.get(kind=Body.Kind.COUNCIL)
    meeting = reviews.create_meeting(actor=reviewer, body=council_body, held_on=TODAY)
    agenda = reviews.add_agenda_item(meeting, actor=reviewer, initiative=item)
    assert count(reviewer, "議題に載っていない") == 0
    assert count(council, "意見・提言が未記録") == 1
    assert count(hq, "決定が未記録") == 0
    reviews.record_opinion(meeting, agenda.pk, actor=council, text="段階的な導入を")
    assert count(council, "意見・提言が未記録") == 0
    # Now with the HQ: waiting for an agenda again, then for its decision.
    assert count(reviewer, "議題に載っていない") == 1
    hq_body = Body.objects.get(kind=Body.Kind.HEADQUARTERS)
    hq_meeting = reviews.create_meeting(actor=reviewer, body=hq_body, held_on=TODAY)
    hq_agenda = reviews.add_agenda_item(hq_meeting, actor=reviewer, initiative=item)
    assert count(hq, "決定が未記録") == 1
    reviews.record_decision(hq_meeting, hq_agenda.pk, actor=hq, outcome="decided", reason="効果大")
    assert count(hq, "決定が未記録") == 0
    assert count(reviewer, "実施計画に未登載") == 1


def test_an_agenda_item_of_a_meeting_still_ahead_is_not_yet_waiting(proposer, reviewer, council):
    item = make_initiative(proposer, status=S.COUNCIL)
    body = Body.objects.get(kind=Body.Kind.COUNCIL)
    ahead = reviews.create_meeting(
        actor=reviewer, body=body, held_on=TODAY + datetime.timedelta(days=14)
    )
    reviews.add_agenda_item(ahead, actor=reviewer, initiative=item)
    assert count(council, "意見・提言が未記録") == 0
    assert count(reviewer, "議題に載っていない") == 0


@pytest.fixture
def entry(proposer, reviewer, master_data):
    plan = ImplementationPlan.objects.create(
        comprehensive_plan=ComprehensivePlan.objects.get(),
        measure=Measure.objects.get(),
        title="実施計画",
        start_fiscal_year=2026,
        end_fiscal_year=2028,
    )
    item = make_initiative(proposer, status=S.DECIDED)
    years = [{"fiscal_year": 2026, "planned": "試行", "amount": 1000, "funding": "一般財源"}]
    return plans.place(item, actor=reviewer, plan=plan, owner=item.department, years=years, kpis=[])


def report(entry, actor):
    return plans.save_report(
        entry,
        actor=actor,
        fiscal_year=2026,
        period="year",
        values={"done": "試行した", "evaluation": "B", "progress_percent": 30},
        kpi_values={},
    )


def test_a_report_reaches_the_secretariat_and_its_return_reaches_the_department(
    entry, proposer, promoter, reviewer
):
    ReportSchedule.objects.create(fiscal_year=2026, period="year", due_on=TODAY)
    assert count(promoter, "提出期限が近い進捗報告") == 1
    draft = report(entry, proposer)
    plans.submit_report(draft, actor=proposer)
    assert count(reviewer, "確認を待つ進捗報告") == 1
    assert count(promoter, "提出期限が近い") == 0
    plans.review_report(draft, actor=reviewer, confirm=False, comment="実績の数字を")
    assert count(reviewer, "確認を待つ進捗報告") == 0
    assert count(promoter, "差し戻された進捗報告") == 1
    assert Notification.objects.filter(recipient=promoter, subject__contains="差戻し").exists()


def test_an_overdue_report_is_marked_and_comes_first_in_its_group(entry, promoter, reviewer):
    ReportSchedule.objects.create(
        fiscal_year=2026, period="year", due_on=TODAY - datetime.timedelta(days=1)
    )
    for user, group in ((promoter, "市民課の進捗報告・記録"), (reviewer, "情報政策課の仕事")):
        first = next(w for w in worklist(user) if w.group == group)
        assert "期限を過ぎた進捗報告" in first.label and first.count == 1 and first.urgent


def test_the_home_page_links_each_row_to_where_the_work_is_done(client, proposer, reviewer):
    make_initiative(proposer, status=S.SUBMITTED)
    client.force_login(reviewer)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("reviews:inbox")}"' in page and "審査を待つ提案: <strong>1件" in page
    for work in worklist(reviewer):
        path, _, _ = work.url.partition("#")
        assert client.get(path).status_code == 200, work


@pytest.mark.parametrize("role", ["proposer", "promoter", "reviewer", "hq", "council"])
def test_the_home_page_queries_do_not_grow_with_the_work(client, request, role, proposer):
    user = request.getfixturevalue(role)
    client.force_login(user)
    statuses = (S.SUBMITTED, S.COUNCIL, S.DECIDED, S.DEPARTMENT_LED, S.RETURNED)
    for status in statuses:
        make_initiative(proposer, status=status)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for status in statuses * 3:
        make_initiative(proposer, status=status)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few)


def test_a_promoter_counts_the_departments_own_and_co_led_drafts_and_returns_only(
    proposer, promoter, outsider
):
    make_initiative(proposer)  # a colleague's draft in the promoter's department
    co_led = make_initiative(outsider, status=S.RETURNED)
    co_led.co_departments.add(promoter.department)
    make_initiative(outsider, status=S.RETURNED)  # another department's alone
    other_draft = make_initiative(outsider)
    other_draft.co_departments.add(promoter.department)
    assert count(promoter, "書きかけの下書き") == 2
    assert count(promoter, "差し戻されて") == 1
    assert count(outsider, "差し戻されて") == 2
