"""A proposer drafting the same idea as another department's submitted proposal is shown it on
the draft's page and again before submitting, and opens it."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_initiative
from tests.test_similarity import DUPLICATE, TARGET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_proposer_is_shown_the_existing_idea_before_submitting(
    page, live_server, login, proposer, outsider
):
    existing = make_initiative(outsider, status="submitted", **TARGET)
    url = live_server.url
    login(page, proposer)

    page.goto(f"{url}/initiatives/new/")
    page.get_by_label("取組名").fill(DUPLICATE["title"])
    page.get_by_label("抽出経路").select_option(label="各部署の課題")
    page.get_by_label("現状と課題").fill(DUPLICATE["current_issues"])
    page.get_by_label("取組内容").fill(DUPLICATE["content"])
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DUPLICATE["title"])

    notice = page.locator("section.similar")
    expect(notice.get_by_role("heading", name="似た提案がすでにあります")).to_be_visible()
    expect(notice.get_by_role("link", name=existing.title)).to_be_visible()
    expect(notice).to_contain_text("共通する語")

    page.get_by_role("link", name="提出する").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("取組項目（案）の提出")
    notice = page.locator("section.similar")
    expect(notice.get_by_role("heading", name="似た提案がすでにあります")).to_be_visible()
    notice.get_by_role("link", name=existing.title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(existing.title)
    expect(page.get_by_text(outsider.department.name).first).to_be_visible()


def test_proposer_finds_an_idea_worded_apart_by_searching_from_the_draft(
    page, live_server, login, proposer, outsider
):
    """Nothing is shown for a draft that shares no word with the existing idea; from the draft's
    page the proposer searches with another department's word and opens what it finds."""
    existing = make_initiative(outsider, status="submitted", **TARGET)
    draft = make_initiative(
        proposer,
        title="審議会の速記委託の見直し",
        current_issues="審議会のたびに速記を委託しており、費用がかさむ。",
        content="委託をやめ、反訳ソフトに切り替える。",
    )
    login(page, proposer)
    page.get_by_role("link", name="自分の提案").first.click()
    page.get_by_role("link", name=draft.title).click()

    section = page.locator("section.similar")
    expect(section).to_contain_text("似ている提案は見つかりませんでした")
    search = section.get_by_role("search", name="ほかの言い方で提案を探す")
    search.get_by_label("ほかの言い方でも探す").fill("議事録")
    search.get_by_role("button", name="提案を探す").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("取組一覧")
    expect(page.get_by_label("キーワード")).to_have_value("議事録")
    page.get_by_role("link", name=existing.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(existing.title)
