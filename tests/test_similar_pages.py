"""Where similar proposals are shown: to the proposer on the draft's page and before submitting,
to the secretariat on the initiative's page and on the review page."""

import pytest
from django.urls import reverse

from initiatives.models import Initiative

from .factories import make_initiative
from .test_similarity import DUPLICATE, TARGET

pytestmark = pytest.mark.django_db
S = Initiative.Status

UNRELATED = {
    "title": "ドローンによる災害時の被害状況把握",
    "current_issues": "大雨の後、被害の全体像をつかむまでに時間がかかる。",
    "content": "ドローンで上空から撮影し、土砂崩れや浸水の範囲を素早く把握する。",
}


@pytest.fixture
def submitted(outsider):
    """Another department's proposal, already submitted."""
    return make_initiative(outsider, status=S.SUBMITTED, **TARGET)


@pytest.fixture
def draft(proposer):
    """The proposer's draft of the same idea in other words."""
    return make_initiative(proposer, **DUPLICATE)


def test_proposer_sees_the_existing_idea_on_the_draft_page(client, proposer, submitted, draft):
    client.force_login(proposer)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "似た提案がすでにあります" in page
    assert f'href="{submitted.get_absolute_url()}"' in page
    # The shared words as the draft writes them (it says 会議録; both fold to 議事録).
    assert "共通する語: 会議録" in page
    # The link opens: a submitted proposal is visible to every member of staff.
    assert client.get(submitted.get_absolute_url()).status_code == 200


def test_proposer_sees_it_before_submitting(client, proposer, submitted, draft):
    client.force_login(proposer)
    page = client.get(reverse("initiatives:submit", args=[draft.pk])).content.decode()
    assert "似た提案がすでにあります" in page
    assert page.index(submitted.get_absolute_url()) < page.index("提出する</button>")


def test_nothing_is_shown_for_an_unrelated_draft(client, proposer, submitted):
    draft = make_initiative(proposer, **UNRELATED)
    client.force_login(proposer)
    for url in (draft.get_absolute_url(), reverse("initiatives:submit", args=[draft.pk])):
        page = client.get(url).content.decode()
        assert "似ている提案は見つかりませんでした" in page
        assert "似た提案がすでにあります" not in page
        assert submitted.get_absolute_url() not in page


def test_other_drafts_are_never_offered(client, proposer, outsider, draft):
    """Another department's draft of the same idea is not visible to the proposer: not shown."""
    hidden = make_initiative(outsider, **TARGET)
    client.force_login(proposer)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert hidden.get_absolute_url() not in page
    assert "似ている提案は見つかりませんでした" in page


def test_secretariat_sees_similar_on_the_initiative_page(client, reviewer, submitted, outsider):
    other = make_initiative(outsider, status=S.SUBMITTED, **DUPLICATE)
    client.force_login(reviewer)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert '<h2 id="similar-title">似ている提案</h2>' in page
    assert other.get_absolute_url() in page
    assert "似た提案がすでにあります" not in page


def test_others_reading_a_submitted_proposal_see_no_section(client, proposer, submitted, draft):
    client.force_login(proposer)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert 'id="similar-title"' not in page


def test_review_page_shows_shared_words_and_ticks_nothing(client, reviewer, submitted, outsider):
    other = make_initiative(outsider, status=S.SUBMITTED, **DUPLICATE)
    lonely = make_initiative(outsider, status=S.SUBMITTED, **UNRELATED)
    client.force_login(reviewer)
    page = client.get(reverse("reviews:review", args=[submitted.pk])).content.decode()
    assert "共通する語" in page and "議事録" in page
    assert f"ids={submitted.pk}&amp;ids={other.pk}" in page
    assert "checked" not in page
    page = client.get(reverse("reviews:review", args=[lonely.pk])).content.decode()
    assert "似ている提案は見つかりませんでした" in page


def test_a_search_for_other_wordings_is_offered_wherever_similar_proposals_are(
    client, proposer, reviewer, submitted, draft
):
    """Words can miss an idea worded apart: beside the list (or its absence) the proposer and
    the secretariat can search the proposals with words of their own, on the list they may see."""
    lonely = make_initiative(proposer, **UNRELATED)
    search = f'action="{reverse("initiatives:list")}" class="similar-search" role="search"'
    client.force_login(proposer)
    for url in (
        draft.get_absolute_url(),
        lonely.get_absolute_url(),
        reverse("initiatives:submit", args=[lonely.pk]),
    ):
        page = client.get(url).content.decode()
        assert search in page and 'name="q"' in page
    client.force_login(reviewer)
    for url in (submitted.get_absolute_url(), reverse("reviews:review", args=[submitted.pk])):
        assert search in client.get(url).content.decode()


def test_the_search_finds_a_proposal_the_comparison_does_not(client, proposer, submitted):
    """A draft about the same chore in a clerk's words (速記, 反訳) shares nothing with the
    submitted proposal and is shown nothing; a search for 議事録, the other department's word,
    finds it."""
    apart = make_initiative(
        proposer,
        title="審議会の速記委託の見直し",
        current_issues="審議会のたびに速記を委託しており、費用がかさむ。",
        content="委託をやめ、反訳ソフトに切り替える。",
    )
    client.force_login(proposer)
    page = client.get(apart.get_absolute_url()).content.decode()
    assert submitted.get_absolute_url() not in page
    # The page's own form: where it sends the words, under the name the list filters by.
    assert f'action="{reverse("initiatives:list")}"' in page and 'name="q"' in page
    found = client.get(reverse("initiatives:list"), {"q": "議事録"}).content.decode()
    assert submitted.get_absolute_url() in found
