"""First journey in a real Chromium: log in, read the home page and a policy, log out."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_read_policies_and_logout(page, live_server, login, proposer):
    login(page, proposer)
    expect(page.get_by_role("heading", level=1)).to_have_text("八千代市DX推進ポータル")
    expect(page.get_by_text("有栖")).to_be_visible()
    for name in ("ストレスフリーな市役所", "行政事務の効率化", "人に寄り添うデジタル化"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.locator(".examples li")).to_have_count(23)

    page.get_by_role("link", name="人に寄り添うデジタル化").click()
    expect(page).to_have_url(re.compile(r"/policies/yachiyo-dx-2023/3/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("人に寄り添うデジタル化")
    expect(page.get_by_role("rowheader", name="AIチャットボットの導入")).to_be_visible()

    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("heading", name="ログアウトしました")).to_be_visible()
    expect(page.get_by_role("link", name="ログイン", exact=True)).to_be_visible()


def test_skip_link_is_first_and_moves_focus(page, live_server, master_data):
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="本文へ移動")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_home_fits_a_phone_screen(page, live_server, master_data):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
