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
