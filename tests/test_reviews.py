"""Review workflow: checklist review, classification, return, consolidation, meetings, mail."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from initiatives import services as initiative_services
from initiatives.models import Initiative
from policies.models import Body
from reviews import services
from reviews.models import AgendaItem, ChecklistReview, Classification, Decision, Meeting, Opinion

from .factories import make_initiative, transitions

pytestmark = pytest.mark.django_db
S = Initiative.Status


@pytest.fixture
def submitted(proposer):
    return make_initiative(proposer, status=S.SUBMITTED, title="AI議事録")


def answers(status="ok", evidence=""):
    from policies.models import PolicyEdition

    items = PolicyEdition.objects.in_force().current_checklist().items.all()
    return {item: (status, evidence) for item in items}


def reviewed(initiative, reviewer):
    services.save_checklist_review(initiative, actor=reviewer, answers=answers())
    return initiative


def under_review(initiative, reviewer):
    services.start_review(initiative, actor=reviewer)
    return reviewed(initiative, reviewer)


# --- Checklist review and classification -------------------------------------------------------


def test_checklist_review_is_complete_only_when_every_item_is_answered(submitted, reviewer):
    partial = dict(list(answers().items())[:5])
    review = services.save_checklist_review(submitted, actor=reviewer, answers=partial)
    assert not review.is_complete and review.answers.count() == 5
    review = services.save_checklist_review(submitted, actor=reviewer, answers=answers())
    assert review.is_complete and review.answers.count() == 8
    assert review.checklist == submitted.edition.current_checklist()  # the version answered is kept
    assert {a.reviewer for a in review.answers.all()} == {reviewer}


def test_checklist_review_needs_evidence_unless_ok(submitted, reviewer):
    with pytest.raises(services.ReviewError, match="根拠・所見"):
        services.save_checklist_review(submitted, actor=reviewer, answers=answers("improve"))
    assert not ChecklistReview.objects.filter(answers__isnull=False).exists()


def test_only_info_policy_reviews(submitted, promoter, hq):
    from django.core.exceptions import PermissionDenied

    for user in (promoter, hq):
        with pytest.raises(PermissionDenied):
            services.save_checklist_review(submitted, actor=user, answers=answers())


def test_classification_is_refused_until_the_review_is_complete(submitted, reviewer):
    services.start_review(submitted, actor=reviewer)
    with pytest.raises(services.ReviewError, match="審査がすべての項目で完了していない"):
        services.classify(submitted, actor=reviewer, kind="planned", reason="全庁に影響")
    submitted.refresh_from_db()
    assert submitted.status == S.UNDER_REVIEW and not Classification.objects.exists()


@pytest.mark.parametrize(
    ("kind", "target"), [("department_led", S.DEPARTMENT_LED), ("planned", S.COUNCIL)]
)
def test_classification_moves_the_item_with_its_reason(submitted, reviewer, kind, target):
    under_review(submitted, reviewer)
    event = services.classify(submitted, actor=reviewer, kind=kind, reason="理由を書く")
    submitted.refresh_from_db()
    assert submitted.status == target
    assert (event.before["status"], event.after["status"], event.comment) == (
        S.UNDER_REVIEW,
        target,
        "理由を書く",
    )
    assert event.context == {"classification": Classification.objects.get().pk, "kind": kind}
    assert Classification.objects.get().reason == "理由を書く"


def test_classification_needs_a_reason(submitted, reviewer):
    under_review(submitted, reviewer)
    with pytest.raises(services.ReviewError, match="理由"):
        services.classify(submitted, actor=reviewer, kind="planned", reason=" ")


# --- 差戻し and notifications ---------------------------------------------------------------------


def test_return_notifies_proposer_and_promoter_after_commit(
    client, submitted, reviewer, promoter, outsider, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:return", args=[submitted.pk]),
            {"comment": "費用の根拠を追記してください", "expected_status": "submitted"},
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED
    event = transitions(submitted).latest("pk")
    assert (event.actor, event.comment) == (reviewer, "費用の根拠を追記してください")
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"alice@example.jp", "bob@example.jp"}
    assert "費用の根拠を追記してください" in mail.outbox[0].body


def test_return_without_comment_is_refused(client, submitted, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("reviews:return", args=[submitted.pk]),
        {"comment": "", "expected_status": "submitted"},
    )
    assert response.status_code == 400
    assert "このフィールドは必須です" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_resubmission_after_return(
    client, submitted, reviewer, proposer, django_capture_on_commit_callbacks
):
    services.return_for_revision(submitted, actor=reviewer, comment="直してください")
    client.force_login(proposer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("initiatives:submit", args=[submitted.pk]), {"expected_status": "returned"}
        )
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert [m.subject for m in mail.outbox] == ["[DX推進ポータル] 再提出: AI議事録"]
    assert mail.outbox[0].to == ["iago@example.jp"]


def test_failing_mail_server_keeps_the_transition(
    client, submitted, reviewer, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.failing_mail.EmailBackend"
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:return", args=[submitted.pk]),
            {"comment": "直してください", "expected_status": "submitted"},
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.RETURNED
    assert "notification not sent" in caplog.text


def test_mail_is_not_sent_when_the_transaction_rolls_back(
    submitted, reviewer, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                services.return_for_revision(submitted, actor=reviewer, comment="x")
                raise RuntimeError("later step failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


# --- Consolidation ----------------------------------------------------------------------------


def test_consolidation_into_a_new_initiative(
    submitted, outsider, reviewer, django_capture_on_commit_callbacks
):
    other = make_initiative(outsider, status=S.SUBMITTED, title="会議録AI")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.consolidate(
            [submitted, other],
            actor=reviewer,
            primary=None,
            source=other,
            title="AIによる会議録作成",
            content="統合した内容",
        )
    result.refresh_from_db()
    assert result.pk not in (submitted.pk, other.pk)
    assert result.status == S.SUBMITTED  # waits in the inbox; undoable until its review starts
    assert (result.title, result.content, result.proposer) == (
        "AIによる会議録作成",
        "統合した内容",
        reviewer,
    )
    assert result.security == other.security
    assert set(result.affected_departments.all()) == {submitted.department, other.department}
    for original in (submitted, other):
        original.refresh_from_db()
        assert original.status == S.CONSOLIDATED and original.consolidated_into == result
        event = transitions(original).latest("pk")
        assert (event.before, event.after, event.actor) == (
            {"status": S.SUBMITTED, "consolidated_into": None},
            {"status": S.CONSOLIDATED, "consolidated_into": result.pk},
            reviewer,
        )
    assert set(result.consolidated_from.all()) == {submitted, other}
    assert Initiative.objects.count() == 3  # nothing deleted
    recipients = {address for m in mail.outbox for address in m.to}
    assert {"alice@example.jp", "charlie@example.jp"} <= recipients


def test_consolidation_into_one_of_them(submitted, outsider, reviewer):
    other = make_initiative(outsider, status=S.SUBMITTED, title="会議録AI")
    result = services.consolidate(
        [submitted, other],
        actor=reviewer,
        primary=submitted,
        source=submitted,
        title="統合後",
        content="内容",
    )
    assert result.pk == submitted.pk
    result.refresh_from_db()
    other.refresh_from_db()
    assert result.status == S.SUBMITTED and result.title == "統合後"
    assert other.status == S.CONSOLIDATED and other.consolidated_into == result


def test_consolidating_an_item_with_itself_is_refused(submitted, reviewer):
    with pytest.raises(services.ReviewError, match="2件以上"):
        services.consolidate(
            [submitted, submitted], actor=reviewer, source=submitted, title="x", content=""
        )


def test_consolidating_withdrawn_items_is_refused(submitted, proposer, reviewer):
    withdrawn = make_initiative(proposer, status=S.WITHDRAWN)
    with pytest.raises(services.ReviewError, match="提出済・審査中"):
        services.consolidate(
            [submitted, withdrawn], actor=reviewer, source=submitted, title="x", content=""
        )
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED and Initiative.objects.count() == 2


def test_consolidation_page(client, submitted, outsider, reviewer):
    other = make_initiative(outsider, status=S.SUBMITTED, title="会議録AI")
    client.force_login(reviewer)
    page = client.get(reverse("reviews:consolidate"), {"ids": [submitted.pk, other.pk]})
    assert page.status_code == 200
    response = client.post(
        reverse("reviews:consolidate"),
        {"originals": [submitted.pk], "source": submitted.pk, "title": "x", "content": "y"},
    )
    assert response.status_code == 400
    assert "異なる取組項目を2件以上選んでください" in response.content.decode()
    chosen = {
        "originals": [submitted.pk, other.pk],
        "primary": other.pk,
        "source": submitted.pk,
        "title": "まとめ",
        "content": "内容",
    }
    response = client.post(reverse("reviews:consolidate"), chosen)
    assert response.status_code == 200 and "統合の確認" in response.content.decode()
    response = client.post(reverse("reviews:consolidate"), {**chosen, "confirm": "1"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.title == "まとめ"


# --- Meetings ---------------------------------------------------------------------------------


def body(kind):
    return Body.objects.get(kind=kind)


def test_meeting_numbers_run_per_body(reviewer):
    first = services.create_meeting(
        actor=reviewer, body=body("council"), held_on=datetime.date(2026, 5, 1)
    )
    second = services.create_meeting(
        actor=reviewer, body=body("council"), held_on=datetime.date(2026, 8, 1)
    )
    hq_first = services.create_meeting(
        actor=reviewer, body=body("headquarters"), held_on=datetime.date(2026, 6, 1)
    )
    assert (first.number, second.number, hq_first.number) == (1, 2, 1)
    with pytest.raises(services.ReviewError, match="第2回は既に登録"):
        services.create_meeting(
            actor=reviewer, body=body("council"), held_on=datetime.date(2026, 9, 1), number=2
        )


def to_council(initiative, reviewer):
    under_review(initiative, reviewer)
    services.classify(initiative, actor=reviewer, kind="planned", reason="全庁に影響")
    return initiative


def test_full_path_from_council_to_decision(
    submitted, reviewer, council, hq, django_capture_on_commit_callbacks
):
    to_council(submitted, reviewer)
    council_meeting = services.create_meeting(
        actor=reviewer, body=body("council"), held_on=datetime.date(2026, 5, 1)
    )
    item = services.add_agenda_item(council_meeting, actor=reviewer, initiative=submitted)
    services.record_opinion(council_meeting, item.pk, actor=council, text="市民への周知を丁寧に")
    submitted.refresh_from_db()
    assert submitted.status == S.HQ_REVIEW

    hq_meeting = services.create_meeting(
        actor=reviewer, body=body("headquarters"), held_on=datetime.date(2026, 6, 1)
    )
    hq_item = services.add_agenda_item(hq_meeting, actor=reviewer, initiative=submitted)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.record_decision(
            hq_meeting,
            hq_item.pk,
            actor=hq,
            outcome="decided",
            reason="効果が大きい",
            conditions="初年度は1課で試行",
        )
    submitted.refresh_from_db()
    assert submitted.status == S.DECIDED
    event = transitions(submitted).latest("pk")
    assert (event.actor, event.before["status"], event.after["status"], event.comment) == (
        hq,
        S.HQ_REVIEW,
        S.DECIDED,
        "効果が大きい",
    )
    assert (
        event.context["decision"] == decision.pk
        and event.context["conditions"] == "初年度は1課で試行"
    )
    assert any("決定" in m.subject for m in mail.outbox)


def test_deferred_item_is_carried_to_a_later_meeting(submitted, reviewer, hq):
    to_council(submitted, reviewer)
    meeting = services.create_meeting(
        actor=reviewer, body=body("council"), held_on=datetime.date(2026, 5, 1)
    )
    services.record_opinion(
        meeting,
        services.add_agenda_item(meeting, actor=reviewer, initiative=submitted).pk,
        actor=reviewer,
        text="意見",
    )
    first = services.create_meeting(
        actor=reviewer, body=body("headquarters"), held_on=datetime.date(2026, 6, 1)
    )
    item = services.add_agenda_item(first, actor=reviewer, initiative=submitted)
    services.record_decision(first, item.pk, actor=hq, outcome="deferred", reason="費用を精査")
    submitted.refresh_from_db()
    assert submitted.status == S.DEFERRED
    later = services.create_meeting(
        actor=reviewer, body=body("headquarters"), held_on=datetime.date(2026, 9, 1)
    )
    item2 = services.add_agenda_item(later, actor=reviewer, initiative=submitted)
    services.record_decision(later, item2.pk, actor=hq, outcome="rejected", reason="効果が小さい")
    submitted.refresh_from_db()
    assert submitted.status == S.REJECTED
    assert [e.after["status"] for e in transitions(submitted)][-2:] == [S.DEFERRED, S.REJECTED]


def test_bad_meeting_input_is_refused(submitted, proposer, reviewer, hq, council):
    hq_meeting = services.create_meeting(
        actor=reviewer, body=body("headquarters"), held_on=datetime.date(2026, 6, 1)
    )
    other_meeting = services.create_meeting(
        actor=reviewer, body=body("headquarters"), held_on=datetime.date(2026, 7, 1)
    )
    # Not yet through the council: cannot go on the HQ's agenda.
    with pytest.raises(services.ReviewError, match="議題にできません"):
        services.add_agenda_item(hq_meeting, actor=reviewer, initiative=submitted)
    to_council(submitted, reviewer)
    council_meeting = services.create_meeting(
        actor=reviewer, body=body("council"), held_on=datetime.date(2026, 5, 1)
    )
    item = services.add_agenda_item(council_meeting, actor=reviewer, initiative=submitted)
    with pytest.raises(services.ReviewError, match="既にこの会議の議題"):
        services.add_agenda_item(council_meeting, actor=reviewer, initiative=submitted)
    # A decision at a council meeting, an opinion twice.
    with pytest.raises(services.ReviewError, match="推進本部の会議にだけ"):
        services.record_decision(
            council_meeting, item.pk, actor=reviewer, outcome="decided", reason="x"
        )
    services.record_opinion(council_meeting, item.pk, actor=council, text="意見")
    with pytest.raises(services.ReviewError, match="既に記録"):
        services.record_opinion(council_meeting, item.pk, actor=council, text="もう一度")
    hq_item = services.add_agenda_item(hq_meeting, actor=reviewer, initiative=submitted)
    # A decision for an item that is not on this meeting's agenda.
    with pytest.raises(services.ReviewError, match="この会議の議題ではありません"):
        services.record_decision(other_meeting, hq_item.pk, actor=hq, outcome="decided", reason="x")
    with pytest.raises(services.ReviewError, match="条件は「決定」のときだけ"):
        services.record_decision(
            hq_meeting, hq_item.pk, actor=hq, outcome="rejected", reason="x", conditions="y"
        )
    services.record_decision(hq_meeting, hq_item.pk, actor=hq, outcome="decided", reason="効果")
    with pytest.raises(services.ReviewError, match="既に記録"):
        services.record_decision(
            hq_meeting, hq_item.pk, actor=hq, outcome="rejected", reason="やはり"
        )
    assert Decision.objects.count() == 1 and Opinion.objects.count() == 1
    assert transitions(submitted).filter(after__status=S.DECIDED).count() == 1


def test_decision_views_refuse_other_roles(client, submitted, reviewer, proposer, council, hq):
    to_council(submitted, reviewer)
    meeting = services.create_meeting(
        actor=reviewer, body=body("council"), held_on=datetime.date(2026, 5, 1)
    )
    item = services.add_agenda_item(meeting, actor=reviewer, initiative=submitted)
    url = reverse("reviews:opinion", args=[meeting.pk, item.pk])
    for user, status in ((proposer, 403), (hq, 403)):
        client.force_login(user)
        assert client.post(url, {f"item{item.pk}-text": "意見"}).status_code == status
    client.force_login(council)
    assert client.post(url, {f"item{item.pk}-text": "意見"}).status_code == 302
    assert Opinion.objects.get().recorded_by == council


def test_opinion_form_error_is_shown_beside_its_item(client, submitted, reviewer):
    to_council(submitted, reviewer)
    meeting = services.create_meeting(
        actor=reviewer, body=body("council"), held_on=datetime.date(2026, 5, 1)
    )
    item = services.add_agenda_item(meeting, actor=reviewer, initiative=submitted)
    client.force_login(reviewer)
    response = client.post(
        reverse("reviews:opinion", args=[meeting.pk, item.pk]), {f"item{item.pk}-text": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_item{item.pk}-text"' in html and "このフィールドは必須です" in html


# --- Pages per role ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("proposer", 403),
        ("promoter", 403),
        ("outsider", 403),
        ("hq", 403),
        ("council", 403),
        ("reviewer", 200),
    ],
)
def test_reviewer_pages_per_role(client, submitted, request, role, status):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for url in (
        reverse("reviews:inbox"),
        reverse("reviews:review", args=[submitted.pk]),
        reverse("reviews:consolidate"),
        reverse("reviews:meeting_create"),
    ):
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize("name", ["start", "return", "checklist", "classify"])
@pytest.mark.parametrize("role", ["proposer", "promoter", "hq", "council"])
def test_review_posts_refused_for_others(client, submitted, request, name, role):
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse(f"reviews:{name}", args=[submitted.pk]),
        {"expected_status": "submitted", "comment": "x"},
    )
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_review_posts_need_post(client, submitted, reviewer):
    client.force_login(reviewer)
    for name in ("start", "return", "checklist", "classify"):
        assert client.get(reverse(f"reviews:{name}", args=[submitted.pk])).status_code == 405


def test_meetings_are_visible_to_signed_in_users(client, reviewer, proposer):
    meeting = services.create_meeting(
        actor=reviewer, body=body("council"), held_on=datetime.date(2026, 5, 1)
    )
    client.force_login(proposer)
    assert client.get(reverse("reviews:meetings")).status_code == 200
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "議題を追加する" not in page  # a plain member of staff sees no secretariat forms
    client.logout()
    assert client.get(meeting.get_absolute_url()).status_code == 302


# --- Query counts -----------------------------------------------------------------------------


def count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_inbox_queries_do_not_grow(client, proposer, outsider, reviewer):
    client.force_login(reviewer)
    make_initiative(proposer, status=S.SUBMITTED, complete=False)
    few = count(client, reverse("reviews:inbox"))
    for i in range(25):
        make_initiative(outsider if i % 2 else proposer, status=S.SUBMITTED, complete=False)
    assert count(client, reverse("reviews:inbox")) == few


def test_meeting_page_queries_do_not_grow(client, proposer, reviewer):
    meeting = services.create_meeting(
        actor=reviewer, body=body("headquarters"), held_on=datetime.date(2026, 6, 1)
    )

    def add(n):
        for _ in range(n):
            item = make_initiative(proposer, status=S.HQ_REVIEW, complete=False)
            agenda = services.add_agenda_item(meeting, actor=reviewer, initiative=item)
            if _ % 2:
                Decision.objects.create(
                    agenda_item=agenda, outcome="decided", reason="r", recorded_by=reviewer
                )

    client.force_login(reviewer)
    add(2)
    few = count(client, meeting.get_absolute_url())
    add(10)
    assert count(client, meeting.get_absolute_url()) == few


def test_timeline_queries_do_not_grow(client, submitted, reviewer, proposer):
    client.force_login(reviewer)
    few = count(client, submitted.get_absolute_url())
    for _ in range(5):
        services.return_for_revision(submitted, actor=reviewer, comment="直して")
        initiative_services.submit(submitted, actor=proposer)
    assert count(client, submitted.get_absolute_url()) == few
    assert transitions(submitted).count() == 11


def test_home_shows_what_waits_for_each_role(client, submitted, reviewer, proposer):
    client.force_login(reviewer)
    html = client.get("/").content.decode()
    assert "取りまとめ・審査を待つ提案: <strong>1件</strong>" in html
    client.force_login(proposer)
    services.return_for_revision(submitted, actor=reviewer, comment="直して")
    html = client.get("/").content.decode()
    assert "差し戻されて修正が必要な提案: <strong>1件</strong>" in html
    assert "取りまとめ・審査を待つ" not in html


def test_timeline_shows_actor_time_and_comment(client, submitted, reviewer, proposer):
    services.return_for_revision(submitted, actor=reviewer, comment="費用の根拠を追記")
    client.force_login(proposer)
    html = client.get(submitted.get_absolute_url()).content.decode()
    assert "提出済 → 差戻し" in html and "井上" in html and "費用の根拠を追記" in html
    assert transitions(submitted).count() == 2
    assert AgendaItem.objects.count() == 0 and Meeting.objects.count() == 0
