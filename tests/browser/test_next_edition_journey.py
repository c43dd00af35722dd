"""The next edition in a real Chromium: 管理者 drafts it from the edition in force in the admin,
changes a policy and an example, previews and adopts it; a proposer's new proposal uses it while
an earlier item keeps its edition; the dashboard's coverage follows the mapping. Set
EDITION_SHOTS=<dir> to keep a screenshot of every step."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from initiatives.models import Initiative
from policies.models import PolicyEdition

from ..factories import make_initiative

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_POLICY = "行政事務の効率化とデータ活用"
NEW_EXAMPLE = "基幹業務システムの標準化とガバメントクラウドへの移行"


def test_draft_edit_adopt_and_use_the_next_edition(
    browser, live_server, login, admin_user, proposer, hq
):
    shots = Path(os.environ["EDITION_SHOTS"]) if os.environ.get("EDITION_SHOTS") else None

    def shot(page, name):
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shots / f"{name}.png", full_page=True)

    current = PolicyEdition.objects.in_force()
    old_policy = current.policies.get(number=2)
    old_example = old_policy.examples.order_by("number").first()
    earlier = make_initiative(proposer, status=Initiative.Status.SUBMITTED, title="前の版の提案")
    assert list(earlier.examples.all()) == [old_example]

    # 管理者: from the admin's list of editions, a draft of the next one.
    admin = browser.new_page()
    login(admin, admin_user)
    admin.get_by_role("link", name="管理画面").click()
    admin.get_by_role("link", name="方針（版）").first.click()
    admin.get_by_role("row", name=re.compile(current.title)).get_by_role("checkbox").check()
    admin.locator("select[name=action]").select_option("draft_next")
    admin.get_by_role("button", name="実行").click()
    expect(admin.locator(".messagelist")).to_contain_text("を案として作りました")
    draft = PolicyEdition.objects.drafts().get()
    shot(admin, "01-draft")

    # A policy renamed in the edition's form, an example in its policy's.
    admin.locator("input[name=policies-1-name]").fill(NEW_POLICY)
    with admin.expect_navigation():  # the page before says 変更しました too
        admin.get_by_role("button", name="保存して編集を続ける").click()
    expect(admin.locator(".messagelist")).to_contain_text("変更しました")
    admin.locator("#policies-1 a.inlinechangelink").click()
    admin.locator("input[name=examples-0-title]").fill(NEW_EXAMPLE)
    with admin.expect_navigation():  # the page before says 変更しました too
        admin.get_by_role("button", name="保存して編集を続ける").click()
    expect(admin.locator(".messagelist")).to_contain_text("変更しました")
    shot(admin, "02-policy")

    # Preview, then adopt from today.
    admin.get_by_role("link", name="方針（版）").first.click()
    admin.get_by_role("link", name=draft.title).click()
    admin.get_by_role("link", name="プレビュー").click()
    expect(admin.get_by_text("案（未採択）のプレビューです。")).to_be_visible()
    expect(admin.get_by_role("link", name=NEW_POLICY)).to_be_visible()
    row = admin.get_by_role("row", name=re.compile(re.escape(old_example.title)))
    expect(row).to_contain_text(NEW_EXAMPLE)
    shot(admin, "03-preview")
    admin.get_by_role("link", name="採択する").click()
    admin.get_by_label("採択する版の名称").fill("第2次DX推進方針")
    admin.get_by_role("button", name="採択する").click()
    expect(admin.locator(".messagelist")).to_contain_text("を採択しました")
    shot(admin, "04-adopted")
    assert PolicyEdition.objects.in_force() == draft

    # The proposer: a new proposal offers the new edition's policies; the earlier item keeps
    # the edition it was proposed under.
    page = browser.new_page()
    login(page, proposer)
    page.get_by_role("link", name="新しく提案する").click()
    expect(page.get_by_label("基本方針").locator("option", has_text=NEW_POLICY)).to_have_count(1)
    expect(
        page.get_by_label("基本方針").locator("option", has_text=re.compile(f"{old_policy.name}$"))
    ).to_have_count(0)
    shot(page, "05-new-proposal")
    page.get_by_role("link", name="自分の提案").click()
    page.get_by_role("link", name="前の版の提案").click()
    expect(page.get_by_text(old_policy.name).first).to_be_visible()
    shot(page, "06-earlier-item")

    # The dashboard: the renamed example continues the one the earlier item lists.
    board = browser.new_page()
    login(board, hq)
    board.get_by_role("link", name="ダッシュボード").click()
    unused = board.locator("section[aria-labelledby=examples-title]")
    expect(unused).to_contain_text("第2次DX推進方針")
    expect(unused).not_to_contain_text(NEW_EXAMPLE)
    expect(unused.locator("li")).to_have_count(22)
    shot(board, "07-dashboard")
