"""Shared values (core.cache) are kept across requests, and a write shows at once: every cached
value, after the write that changes it commits, with the cache in memory and in Redis."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import cache
from initiatives.models import Initiative
from initiatives.publication import set_publication
from plans import services as plans
from plans.models import ReportSchedule
from policies.models import Department

from .factories import make_initiative
from .test_dashboard import make_plan, placed
from .test_worklists import report

pytestmark = pytest.mark.django_db

S = Initiative.Status
TODAY = timezone.localdate()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose writes commit at its end (the commit hooks run as in production)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def status_bars(response):
    chart = next(c for c in response.context["charts"] if c.slug == "status")
    return chart.summary


def test_the_dashboard_shows_a_new_submission_at_once(
    client, shared_cache, committed, proposer, reviewer
):
    client.force_login(reviewer)
    make_initiative(proposer, status=S.SUBMITTED)
    assert "提出済 1件" in status_bars(client.get("/dashboard/"))
    assert "提出済 1件" in status_bars(client.get("/dashboard/"))  # from the cache
    with committed():
        make_initiative(proposer, status=S.SUBMITTED)
    assert "提出済 2件" in status_bars(client.get("/dashboard/"))


def test_the_dashboard_is_computed_once_for_everyone(client, shared_cache, proposer, reviewer, hq):
    make_initiative(proposer, status=S.SUBMITTED)
    client.force_login(reviewer)
    client.get("/dashboard/")
    client.force_login(hq)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard/")
    assert "提出済 1件" in status_bars(response)
    assert not [q for q in queries if "initiatives_" in q["sql"]]  # no figure computed again


def test_the_inbox_counts_show_a_submission_and_a_return_at_once(
    client, shared_cache, committed, proposer, reviewer
):
    client.force_login(reviewer)
    make_initiative(proposer, status=S.SUBMITTED)
    response = client.get(reverse("reviews:inbox"))
    assert [r["n"] for r in response.context["by_channel"]] == [1]
    assert response.context["returned"] == 0
    with committed():
        make_initiative(proposer, status=S.SUBMITTED)
        make_initiative(proposer, status=S.RETURNED)
    response = client.get(reverse("reviews:inbox"))
    assert [r["n"] for r in response.context["by_channel"]] == [2]
    assert response.context["returned"] == 1


def test_the_secretariats_worklist_shows_a_submission_at_once(
    client, shared_cache, committed, proposer, reviewer
):
    client.force_login(reviewer)

    def waiting():
        work = client.get(reverse("home")).context["waiting"]
        return next(w.count for w in work if w.label == "取りまとめ・審査を待つ提案")

    assert waiting() == 0
    with committed():
        make_initiative(proposer, status=S.SUBMITTED)
    assert waiting() == 1


def test_a_public_page_shows_a_publication_its_change_and_its_withdrawal_at_once(
    client, shared_cache, committed, proposer, reviewer
):
    item = make_initiative(proposer, status=S.IN_PROGRESS)
    url = reverse("public:detail", args=[item.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("public:index")).context["count"] == 0
    with committed():
        set_publication(item, actor=reviewer, is_public=True, summary="最初の概要です。")
    assert "最初の概要です。" in client.get(url).content.decode()
    assert client.get(reverse("public:index")).context["count"] == 1
    with committed():
        set_publication(item, actor=reviewer, is_public=True, summary="直した概要です。")
    assert "直した概要です。" in client.get(url).content.decode()
    with committed():
        set_publication(item, actor=reviewer, is_public=False, summary="直した概要です。")
    assert client.get(url).status_code == 404
    assert client.get(reverse("public:index")).context["count"] == 0


def test_a_value_computed_before_the_commit_is_not_served_after_it(shared_cache, committed):
    """Another request may compute a value between the write and its commit: it is read from
    the rows as they were, and must not outlive the commit."""
    with committed():
        cache.changed()
        before = cache.shared("figure", lambda: "as before the commit")
    assert before == "as before the commit"
    assert cache.shared("figure", lambda: "after the commit") == "after the commit"


def test_a_rolled_back_write_costs_a_recomputation_only(shared_cache):
    assert cache.shared("figure", lambda: 1) == 1
    with transaction.atomic():
        cache.changed()
        transaction.set_rollback(True)
    assert cache.shared("figure", lambda: 2) == 2


def test_a_cache_that_does_not_answer_slows_pages_down_but_breaks_none(
    client, settings, proposer, reviewer
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    make_initiative(proposer, status=S.SUBMITTED)
    client.force_login(reviewer)
    assert "提出済 1件" in status_bars(client.get("/dashboard/"))


def test_the_list_filters_offer_a_new_department_at_once(client, shared_cache, committed, proposer):
    client.force_login(proposer)
    url = reverse("initiatives:list")
    assert "新設テスト課" not in client.get(url).content.decode()
    with committed():
        Department.objects.create(code="new-test", name="新設テスト課", order=9999)
    assert "新設テスト課" in client.get(url).content.decode()


def test_the_home_pages_state_counts_show_a_submission_at_once(
    client, shared_cache, committed, proposer, outsider
):
    client.force_login(outsider)

    def counts():
        return {value: n for value, _, n in client.get(reverse("home")).context["status_counts"]}

    make_initiative(proposer, status=S.SUBMITTED)
    assert counts() == {"submitted": 1}
    with committed():
        make_initiative(proposer, status=S.SUBMITTED)
        make_initiative(proposer)  # a draft of someone else's: not counted for the outsider
    assert counts() == {"submitted": 2}


def test_the_plans_filter_offers_a_newly_placed_entrys_department_at_once(
    client, shared_cache, committed, proposer, outsider, reviewer
):
    plan = make_plan()
    placed(proposer, reviewer, plan, 100_000)
    client.force_login(reviewer)
    url = reverse("plans:plan", args=[plan.pk])
    response = client.get(url)
    assert [d.pk for d in response.context["departments"]] == [proposer.department_id]
    assert response.context["page"].paginator.count == 1
    with committed():
        placed(outsider, reviewer, plan, 100_000)
    response = client.get(url)
    assert {d.pk for d in response.context["departments"]} == {
        proposer.department_id,
        outsider.department_id,
    }
    assert response.context["page"].paginator.count == 2


def test_the_lists_count_shows_a_new_proposal_at_once(
    client, shared_cache, committed, proposer, reviewer
):
    client.force_login(reviewer)
    make_initiative(proposer, status=S.SUBMITTED)
    url = reverse("initiatives:list")
    assert client.get(url).context["page"].paginator.count == 1
    with committed():
        make_initiative(proposer, status=S.SUBMITTED)
    assert client.get(url).context["page"].paginator.count == 2
    assert client.get(url, {"status": "draft"}).context["page"].paginator.count == 0


def test_the_departments_follow_up_shows_a_return_and_a_new_item_at_once(
    client, shared_cache, committed, proposer, promoter, reviewer
):
    """The department's figures are shared by everyone in it (one computation per department
    and day); a return, a schedule and a newly department-led item each show at once."""
    entry = placed(proposer, reviewer, make_plan(), 1000)
    client.force_login(promoter)

    def rows():
        work = client.get(reverse("home")).context["waiting"]
        return {w.label: w.count for w in work if w.group.endswith("の進捗報告・記録")}

    assert rows()["提出期限が近い進捗報告"] == 0
    with committed():
        ReportSchedule.objects.create(fiscal_year=2026, period="year", due_on=TODAY)
    assert rows()["提出期限が近い進捗報告"] == 1
    with committed():
        draft = report(entry, proposer)
        plans.submit_report(draft, actor=proposer)
        plans.review_report(draft, actor=reviewer, confirm=False, comment="実績の数字を")
    assert rows()["差し戻された進捗報告"] == 1
    assert rows()["記録の時期が来た所管課推進の取組"] == 0
    with committed():
        make_initiative(proposer, status=S.DEPARTMENT_LED)
    # Due NOTE_FIRST_DUE_DAYS after classification, within the worklist's horizon.
    assert rows()["記録の時期が来た所管課推進の取組"] == 1


def test_the_citys_names_and_the_edition_in_force_show_an_edit_at_once(
    client, shared_cache, committed, master_data
):
    """Every page's header and footer read them from the cache (policies.names, .shared)."""
    from policies.models import Municipality, PolicyEdition

    page = client.get(reverse("home")).content.decode()
    edition = PolicyEdition.objects.in_force()
    assert "八千代市DX推進ポータル" in page and edition.title in page
    with committed():
        Municipality.objects.update(name="千代田市")
        Municipality.objects.get().save()  # the admin saves the row (a signal moves the cache on)
        edition.title = "改めた方針の名前"
        edition.save()
    page = client.get(reverse("home")).content.decode()
    assert "千代田市DX推進ポータル" in page and "八千代市DX推進ポータル" not in page
    assert "改めた方針の名前" in page


def test_the_home_pages_meetings_show_a_new_meeting_at_once(
    client, shared_cache, committed, master_data, proposer, reviewer
):
    from policies.models import Body
    from reviews.services import create_meeting

    client.force_login(proposer)
    assert client.get(reverse("home")).context["meetings"] == []
    with committed():
        create_meeting(
            actor=reviewer, body=Body.objects.filter(kind="council").first(), held_on=TODAY
        )
    assert len(client.get(reverse("home")).context["meetings"]) == 1


def test_the_public_list_shows_a_publication_in_its_rendered_rows_at_once(
    client, shared_cache, committed, proposer, reviewer
):
    """The list's rows are kept rendered (public.views.index), per 基本方針 and page."""
    item = make_initiative(proposer, status=S.IN_PROGRESS, title="公開する取組")
    url = reverse("public:index")
    assert "公開する取組" not in client.get(url).content.decode()
    with committed():
        set_publication(item, actor=reviewer, is_public=True, summary="最初の概要です。")
    for query in ({}, {"page": "1"}, {"page": "abc"}, {"page": "999"}):
        page = client.get(url, query).content.decode()
        assert "最初の概要です。" in page
        assert "<h1>市のDXの取組</h1>" in page  # kept as HTML, not escaped on the way back
    with committed():
        set_publication(item, actor=reviewer, is_public=True, summary="直した概要です。")
    page = client.get(url).content.decode()
    assert "直した概要です。" in page and "最初の概要です。" not in page
    with committed():
        set_publication(item, actor=reviewer, is_public=False, summary="直した概要です。")
    assert "公開する取組" not in client.get(url).content.decode()


def test_the_similar_proposals_follow_a_new_one_and_a_withdrawal_at_once(
    client, shared_cache, committed, proposer, outsider
):
    """The ranking is kept per proposal (initiatives.similarity); the viewer's own check of
    what they may see is not."""
    from initiatives import services as initiative_services

    from .test_similarity import DUPLICATE, TARGET

    draft = make_initiative(proposer, **DUPLICATE)
    client.force_login(proposer)
    assert (
        "似ている提案は見つかりませんでした"
        in client.get(draft.get_absolute_url()).content.decode()
    )
    with committed():
        other = make_initiative(outsider, status=S.SUBMITTED, **TARGET)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert f'href="{other.get_absolute_url()}"' in page
    with committed():
        initiative_services.withdraw(other, actor=outsider, comment="取り下げ")
    page = client.get(draft.get_absolute_url()).content.decode()
    assert f'href="{other.get_absolute_url()}"' not in page


def test_a_lost_generation_does_not_bring_back_values_kept_under_an_earlier_one(shared_cache):
    """The generation key evicted (or a cache server restarted with some keys): the next one
    must not be a number whose values may still be kept."""
    from django.core.cache import cache as django_cache

    assert cache.shared("probe", lambda: "before") == "before"
    django_cache.delete(cache.GENERATION)
    assert cache.shared("probe", lambda: "after") == "after"


def test_the_home_pages_policies_and_its_proposal_button_show_an_edit_at_once(
    client, shared_cache, committed, master_data, proposer
):
    """The edition's policies and examples, and the channels that say whether a person may
    propose, are kept for every page (policies.shared, yachiyo_dx.views)."""
    from policies.models import Channel, ExampleInitiative

    client.force_login(proposer)
    response = client.get(reverse("home"))
    assert response.context["can_propose"]
    example = ExampleInitiative.objects.order_by("pk").first()
    assert example.title in response.content.decode()
    with committed():
        example.title = "書き改めた取組例"
        example.save()
        for channel in Channel.objects.filter(proposed_by=Channel.ProposedBy.STAFF):
            channel.proposed_by = Channel.ProposedBy.SECRETARIAT
            channel.save()
    response = client.get(reverse("home"))
    assert "書き改めた取組例" in response.content.decode()
    assert not response.context["can_propose"]


def test_the_unrecorded_agenda_counts_follow_a_record_at_once_and_stay_per_body(
    shared_cache, committed, proposer, reviewer, council, hq
):
    from policies.models import Body
    from reviews import services as reviews
    from yachiyo_dx.worklists import worklist

    def count(user, words):
        return next(w.count for w in worklist(user) if words in w.label)

    item = make_initiative(proposer, status=S.COUNCIL)
    body = Body.objects.get(kind=Body.Kind.COUNCIL)
    with committed():
        meeting = reviews.create_meeting(actor=reviewer, body=body, held_on=TODAY)
        agenda = reviews.add_agenda_item(meeting, actor=reviewer, initiative=item)
    assert count(council, "意見・提言が未記録") == 1
    assert count(reviewer, "意見・提言が未記録") == 1  # the secretariat's: every body's
    assert count(hq, "決定が未記録") == 0  # not the HQ's body
    with CaptureQueriesContext(connection) as queries:
        assert count(council, "意見・提言が未記録") == 1
    assert not [q for q in queries if "reviews_agendaitem" in q["sql"]]  # from the cache
    with committed():
        reviews.record_opinion(meeting, agenda.pk, actor=council, text="段階的な導入を")
    assert count(council, "意見・提言が未記録") == 0
    assert count(reviewer, "意見・提言が未記録") == 0


def test_the_secretariats_home_counts_every_draft_and_shows_a_new_one_at_once(
    client, shared_cache, committed, proposer, reviewer, outsider
):
    def counts(user):
        client.force_login(user)
        return {value: n for value, _, n in client.get(reverse("home")).context["status_counts"]}

    make_initiative(proposer)
    assert counts(reviewer) == {"draft": 1}
    with CaptureQueriesContext(connection) as queries:
        assert counts(reviewer) == {"draft": 1}
    assert not [q for q in queries if '"submitted_at" IS NULL' in q["sql"]]  # from the cache
    with committed():
        make_initiative(outsider)
    assert counts(reviewer) == {"draft": 2}
    assert counts(outsider) == {"draft": 1}  # their own only, never the secretariat's figure


def test_a_member_counts_only_the_bodies_they_sit_on_among_bodies_of_one_kind(
    shared_cache, proposer, reviewer, council
):
    from policies.models import Body
    from reviews import services as reviews
    from yachiyo_dx.worklists import worklist

    def count(user):
        return next(w.count for w in worklist(user) if "意見・提言が未記録" in w.label)

    mine = Body.objects.get(kind=Body.Kind.COUNCIL)
    other = Body.objects.create(code="other-council", name="別の審議会", kind=Body.Kind.COUNCIL)
    for body in (mine, other):
        meeting = reviews.create_meeting(actor=reviewer, body=body, held_on=TODAY)
        item = make_initiative(proposer, status=S.COUNCIL)
        reviews.add_agenda_item(meeting, actor=reviewer, initiative=item)
    assert count(council) == 1  # the council member sits on one of the two
    assert count(reviewer) == 2  # the secretariat records for both
