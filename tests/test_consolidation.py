"""Consolidation as a deliberate act (issue 11, finding 2): chosen explicitly, confirmed, nothing
an original said lost, every proposing department kept, the idea counted once, undoable until
the merged item's review starts."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from dashboard import figures
from initiatives import services as initiative_services
from initiatives.models import Attachment, CaseStudy, Initiative, Milestone
from plans.forms import PlacementForm
from reviews import services

from .factories import make_initiative

pytestmark = pytest.mark.django_db
S = Initiative.Status


@pytest.fixture
def pair(proposer, outsider, settings, tmp_path):
    """市民課's and 道路管理課's proposals of the same idea, each with its own parts."""
    settings.MEDIA_ROOT = tmp_path
    one = make_initiative(proposer, status=S.SUBMITTED, title="会議録のAI作成")
    two = make_initiative(outsider, status=S.SUBMITTED, title="AIで議事録")
    CaseStudy.objects.create(initiative=one, name="千葉市の事例", url="https://example.jp/a")
    CaseStudy.objects.create(initiative=two, name="船橋市の事例")
    CaseStudy.objects.create(initiative=two, name="千葉市の事例", url="https://example.jp/a")
    Milestone.objects.create(
        initiative=two, kind="other", label="職員研修", target_fiscal_year=2027
    )
    Attachment.objects.create(
        initiative=two,
        file=SimpleUploadedFile("flow.pdf", b"%PDF-1.4 test"),
        original_name="業務フロー.pdf",
        size=13,
        content_type="application/pdf",
        uploaded_by=outsider,
    )
    return one, two


def merge(pair, reviewer, **kw):
    one, two = pair
    return services.consolidate(
        [one, two],
        actor=reviewer,
        source=kw.pop("source", two),
        title=kw.pop("title", "AIによる会議録作成"),
        content=kw.pop("content", "統合した内容"),
        **kw,
    )


def test_the_similar_proposals_link_ticks_only_the_pair_it_names(client, pair, reviewer, proposer):
    one, two = pair
    far = make_initiative(proposer, status=S.SUBMITTED, title="道路の補修")
    client.force_login(reviewer)
    html = client.get(reverse("reviews:review", args=[one.pk])).content.decode()
    assert f"ids={one.pk}&amp;ids={two.pk}" in html
    assert "この提案と似ている提案を統合する" not in html  # the old tick-them-all link
    form = client.get(reverse("reviews:consolidate"), {"ids": [one.pk, two.pk]}).context["form"]
    assert {o.pk for o in form.initial["originals"]} == {one.pk, two.pk}
    # Everything reviewable is offered, to add on purpose; nothing else is ticked.
    assert far in form.fields["originals"].queryset
    inbox_form = client.get(reverse("reviews:consolidate")).context["form"]
    assert list(inbox_form.initial["originals"]) == []


def test_nothing_merges_before_the_confirmation(client, pair, reviewer):
    one, two = pair
    client.force_login(reviewer)
    chosen = {
        "originals": [one.pk, two.pk],
        "source": two.pk,
        "title": "AIによる会議録作成",
        "content": "まとめ",
    }
    events = AuditEvent.objects.count()
    response = client.post(reverse("reviews:consolidate"), chosen)
    html = response.content.decode()
    assert response.status_code == 200 and "統合の確認" in html
    assert "道路管理課" in html and "業務フロー" not in html  # counts, not the files
    assert "共同提案部署" in html and "統合を確定する" in html
    assert Initiative.objects.count() == 2 and AuditEvent.objects.count() == events
    one.refresh_from_db()
    assert one.status == S.SUBMITTED
    # 選び直す goes back to the form with what was chosen.
    back = client.post(reverse("reviews:consolidate"), {**chosen, "back": "1"})
    assert back.templates[0].name == "reviews/consolidate.html"
    done = client.post(reverse("reviews:consolidate"), {**chosen, "confirm": "1"})
    assert done.status_code == 302 and Initiative.objects.count() == 3


def test_the_merged_item_keeps_every_department_and_what_the_originals_said(
    pair, reviewer, outsider
):
    one, two = pair
    result = merge(pair, reviewer)
    assert result.status == S.SUBMITTED
    # The source's department leads; the other proposer's co-proposes; none is 情報政策課.
    assert result.department == two.department
    assert list(result.co_departments.all()) == [one.department]
    # The source's schedule and self-check, every original's cases (the same one once).
    assert [m.label for m in result.milestones.all()] == [m.label for m in two.milestones.all()]
    assert result.self_check.count() == two.self_check.count() > 0
    assert sorted(c.name for c in result.case_studies.all()) == ["千葉市の事例", "船橋市の事例"]


def test_the_merged_items_page_shows_each_original_with_its_parts(
    client, pair, reviewer, hq, django_assert_max_num_queries
):
    one, two = pair
    result = merge(pair, reviewer)
    client.force_login(hq)
    html = client.get(result.get_absolute_url()).content.decode()
    assert "統合元の提案" in html and "共同提案部署" in html
    assert "取りまとめ（統合）" in html  # in the timeline
    for original in (one, two):
        assert original.title in html
    assert "職員研修" in html and "船橋市の事例" in html
    attachment = two.attachments.get()
    assert attachment.get_absolute_url() in html and "業務フロー.pdf" in html
    assert client.get(attachment.get_absolute_url()).status_code == 200


def with_parts(user, title):
    item = make_initiative(user, status=S.SUBMITTED, title=title)
    CaseStudy.objects.create(initiative=item, name=f"{title}の事例")
    Attachment.objects.create(
        initiative=item,
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
        original_name=f"{title}.pdf",
        size=8,
        content_type="application/pdf",
        uploaded_by=user,
    )
    return item


def test_the_originals_section_costs_a_fixed_number_of_queries(
    client, reviewer, proposer, outsider, settings, tmp_path
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MEDIA_ROOT = tmp_path

    def merged(n):
        items = [with_parts((proposer, outsider)[i % 2], f"案{n}-{i}") for i in range(n)]
        return services.consolidate(
            items, actor=reviewer, source=items[0], title=f"まとめ{n}", content="内容"
        )

    def count(item):
        client.get(item.get_absolute_url())  # the shared values (core.cache) read once
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(item.get_absolute_url()).status_code == 200
        return len(ctx)

    client.force_login(reviewer)
    two, six = merged(2), merged(6)
    assert count(six) == count(two)


def test_each_proposing_department_lists_it_and_may_be_its_owner(
    client, pair, reviewer, promoter, outsider
):
    one, two = pair
    result = merge(pair, reviewer)
    for user in (promoter, outsider):  # 市民課 (co-proposes), 道路管理課 (leads)
        client.force_login(user)
        response = client.get(reverse("initiatives:department"))
        assert result in response.context["page"].object_list
    form = PlacementForm(proposing=[result.department, *result.co_departments.all()])
    groups = dict((label, options) for label, options in form.fields["owner"].choices[1:])
    assert [pk for pk, _ in groups["提案した部署"]] == [two.department_id, one.department_id]
    assert one.department_id not in [pk for pk, _ in groups["その他の部署"]]


def test_dashboards_count_the_idea_once_for_each_department(pair, reviewer):
    before = dict(figures.department_counts())
    merge(pair, reviewer)
    after = dict(figures.department_counts())
    # Two proposals became one idea, still credited to both departments, once each.
    assert sum(n for _, n in figures.status_counts()) == 1
    assert after == before == {"市民部 市民課": 1, "都市整備部 道路管理課": 1}
    assert "統合済" not in dict(figures.status_counts())


def test_undo_puts_everything_back_and_tells_the_proposers(
    pair, reviewer, django_capture_on_commit_callbacks
):
    one, two = pair
    result = merge(pair, reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        back = services.undo_consolidation(result, actor=reviewer, reason="別の趣旨だった")
    assert {o.pk for o in back} == {one.pk, two.pk}
    for original in (one, two):
        original.refresh_from_db()
        assert original.status == S.SUBMITTED and original.consolidated_into is None
    result.refresh_from_db()
    assert result.status == S.WITHDRAWN and not result.co_departments.exists()
    assert Initiative.objects.count() == 3  # set aside, not deleted
    event = AuditEvent.objects.filter(action="initiative.unconsolidated").get()
    assert (event.actor, event.comment) == (reviewer, "別の趣旨だった")
    assert any("統合の取消し" in m.subject for m in mail.outbox)


def test_undo_of_a_merge_into_one_of_them_gives_it_back_its_own_text(pair, reviewer, departments):
    one, two = pair
    title, content, cost = one.title, one.content, one.initial_cost
    two.affected_departments.add(departments["joho"])
    merge(pair, reviewer, primary=one, title="統合後", content="まとめた内容")
    one.refresh_from_db()
    assert one.title == "統合後" and departments["joho"] in one.affected_departments.all()
    services.undo_consolidation(one, actor=reviewer, reason="取り違え")
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.title, one.content, one.initial_cost) == (
        S.SUBMITTED,
        title,
        content,
        cost,
    )
    assert departments["joho"] not in one.affected_departments.all()
    assert not one.co_departments.exists()
    assert two.status == S.SUBMITTED


def test_once_the_review_starts_the_merge_stays(client, pair, reviewer):
    result = merge(pair, reviewer)
    client.force_login(reviewer)
    assert "統合を取り消す" in client.get(result.get_absolute_url()).content.decode()
    services.start_review(result, actor=reviewer)
    assert "統合を取り消す" not in client.get(result.get_absolute_url()).content.decode()
    with pytest.raises(services.ReviewError, match="取り消せません"):
        services.undo_consolidation(result, actor=reviewer, reason="遅すぎる")
    response = client.post(reverse("reviews:unconsolidate", args=[result.pk]), {"reason": "x"})
    assert response.status_code == 400 and "取り消せません" in response.content.decode()
    result.refresh_from_db()
    assert result.status == S.UNDER_REVIEW


def test_undo_through_the_page_needs_a_reason(client, pair, reviewer):
    result = merge(pair, reviewer)
    client.force_login(reviewer)
    url = reverse("reviews:unconsolidate", args=[result.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    result.refresh_from_db()
    assert result.status == S.SUBMITTED
    response = client.post(url, {"reason": "別の趣旨だった"})
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.status == S.WITHDRAWN


def test_a_reorganisation_moves_co_proposals_to_the_successor(pair, reviewer, departments):
    one, _ = pair
    result = merge(pair, reviewer)
    successor = departments["joho"]
    initiative_services.transfer_department(
        one.department, successor=successor, actor=reviewer, reason="組織改正"
    )
    assert list(result.co_departments.all()) == [successor]


def test_a_merged_item_awaiting_review_is_undone_not_withdrawn(client, pair, reviewer):
    """Its proposer (the secretariat, for a new one) is offered the undo, not 取り下げる."""
    result = merge(pair, reviewer)
    client.force_login(reviewer)
    html = client.get(result.get_absolute_url()).content.decode()
    assert "統合を取り消す" in html and "取り下げる" not in html
    with pytest.raises(initiative_services.TransitionError, match="統合を取り消す"):
        initiative_services.withdraw(result, actor=reviewer)
    result.refresh_from_db()
    assert result.status == S.SUBMITTED


def test_undo_is_gone_once_anything_happens_to_the_merged_item(pair, reviewer, proposer):
    """A return and resubmission (the owner's edits since) makes the merge final."""
    from reviews.services import return_for_revision

    result = merge(pair, reviewer, primary=pair[0])
    return_for_revision(result, actor=reviewer, comment="費用を直して")
    initiative_services.submit(result, actor=proposer)
    result.refresh_from_db()
    assert result.status == S.SUBMITTED and not services.can_undo(result)
    with pytest.raises(services.ReviewError, match="取り消せません"):
        services.undo_consolidation(result, actor=reviewer, reason="今さら")


def test_only_the_latest_merge_is_undone_and_only_once(pair, reviewer, proposer):
    one, two = pair
    three = make_initiative(proposer, status=S.SUBMITTED, title="三つ目の案")
    merge(pair, reviewer, primary=one, title="一度目")
    services.consolidate(
        [one, three], actor=reviewer, primary=one, source=one, title="二度目", content="x"
    )
    one.refresh_from_db()
    services.undo_consolidation(one, actor=reviewer, reason="三つ目は別")
    one.refresh_from_db()
    two.refresh_from_db()
    three.refresh_from_db()
    assert (one.title, three.status, two.status) == ("一度目", S.SUBMITTED, S.CONSOLIDATED)
    assert not services.can_undo(one)
    with pytest.raises(services.ReviewError):
        services.undo_consolidation(one, actor=reviewer, reason="もう一度")


def test_after_undo_the_dashboards_count_the_originals_again(pair, reviewer):
    result = merge(pair, reviewer)
    services.undo_consolidation(result, actor=reviewer, reason="別の趣旨")
    assert sum(n for _, n in figures.status_counts()) == 2
    assert dict(figures.department_counts()) == {"市民部 市民課": 1, "都市整備部 道路管理課": 1}


def test_a_merge_of_merges_keeps_every_department(pair, reviewer, departments):
    first = merge(pair, reviewer)  # 道路管理課 leads, 市民課 co-proposes
    other = make_initiative(reviewer, status=S.SUBMITTED, title="別の案")  # 情報政策課
    final = services.consolidate(
        [other, first], actor=reviewer, source=other, title="全部", content="x"
    )
    assert final.department == departments["joho"]
    assert {d.pk for d in final.co_departments.all()} == {
        departments["shimin_ka"].pk,
        departments["doro"].pk,
    }


def test_the_list_filter_by_department_includes_co_proposals(client, pair, reviewer):
    one, _ = pair
    result = merge(pair, reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("initiatives:list"), {"department": one.department_id})
    assert result in page.context["page"].object_list


def test_only_the_secretariat_undoes(pair, reviewer, promoter):
    from django.core.exceptions import PermissionDenied

    result = merge(pair, reviewer)
    with pytest.raises(PermissionDenied):
        services.undo_consolidation(result, actor=promoter, reason="x")
    result.refresh_from_db()
    assert result.status == S.SUBMITTED


def test_a_reorganisation_never_names_the_lead_twice(pair, reviewer):
    one, two = pair
    result = merge(pair, reviewer)  # 道路管理課 leads, 市民課 co-proposes
    initiative_services.transfer_department(
        one.department, successor=two.department, actor=reviewer, reason="統合"
    )
    result.refresh_from_db()
    assert result.department == two.department and not result.co_departments.exists()
    assert dict(figures.department_counts()) == {"都市整備部 道路管理課": 1}
