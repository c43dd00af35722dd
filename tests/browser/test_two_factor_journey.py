"""Two-factor sign-in in a real Chromium, required as in production: 管理者 enrols at the first
sign-in, signs in with a recovery code and with a code from the app, and the admin site turns
away an administrator who has not given a second factor. Set TWO_FACTOR_SHOTS=<dir> to keep a
screenshot of every step."""

import base64
import os
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE_OPTIONS
from tests.conftest import PASSWORD, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.two_factor,
    pytest.mark.django_db(transaction=True),
]


def app_code(key: str, ahead=0) -> str:
    """What an authenticator app shows for the key typed from the page (`ahead` steps on: a
    code is good once, and the next step's is accepted already)."""
    secret = base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))
    totp = TOTP(secret)
    totp.time = time.time() + 30 * ahead
    return f"{totp.token():06d}"


def test_enrol_sign_in_with_codes_and_the_admin_refuses_a_password_alone(
    browser, live_server, admin_user, departments
):
    shots = Path(os.environ["TWO_FACTOR_SHOTS"]) if os.environ.get("TWO_FACTOR_SHOTS") else None

    axe = Axe()

    def shot(page, name):
        """Each step's page meets WCAG 2.1 AA (axe), and is kept as a picture on request."""
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        assert not violations, [(name, v["id"], v["nodes"][0]["html"]) for v in violations]
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shots / f"{name}.png", full_page=True)

    page = browser.new_page()

    def sign_in_with_password(user):
        page.goto(f"{live_server.url}/")
        page.get_by_role("link", name="ログイン", exact=True).click()
        page.get_by_label("ユーザー名").fill(user.username)
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()

    def sign_out():
        page.get_by_role("button", name="ログアウト").first.click()
        expect(page.get_by_role("heading", name="ログアウトしました")).to_be_visible()

    # First sign-in: the password leads straight to enrolment, with nothing else on offer.
    sign_in_with_password(admin_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("二段階認証の登録")
    expect(page.get_by_text("このアカウントの役割では")).to_be_visible()
    expect(page.get_by_role("link", name="管理画面")).to_have_count(0)
    expect(page.locator(".qr-code svg")).to_be_visible()
    shot(page, "01-enrol")
    key = page.locator(".secret-key").inner_text()
    page.get_by_label("確認コード").fill("123456")
    page.get_by_role("button", name="登録する").click()
    expect(page.locator("#error-summary")).to_contain_text("コードが正しくありません")
    page.get_by_label("確認コード").fill(app_code(key))
    page.get_by_role("button", name="登録する").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("回復コード")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shot(page, "02-recovery-codes")
    page.get_by_role("link", name="控えたので次へ進む").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_role("link", name="管理画面").click()
    expect(page.get_by_role("heading", name="マスタデータ・アカウントの管理")).to_be_visible()
    sign_out()

    # With a recovery code (the phone left at home).
    sign_in_with_password(admin_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("確認コードの入力")
    shot(page, "03-verify")
    page.get_by_label("確認コード").fill(codes[0])
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("残り9個")
    shot(page, "04-signed-in-with-recovery-code")
    sign_out()

    # The same recovery code again: refused; a code from the app: in.
    sign_in_with_password(admin_user)
    page.get_by_label("確認コード").fill(codes[0])
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator("#error-summary")).to_contain_text("コードが正しくありません")
    shot(page, "05-code-refused")
    expect(page.get_by_label("確認コード")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("確認コード").fill(app_code(key, ahead=1))
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_role("link", name="二段階認証").click()
    expect(page.get_by_text("残り9個")).to_be_visible()
    shot(page, "06-overview")
    sign_out()

    # Another administrator with the password alone: the admin site is not theirs yet.
    other = make_user("frank", departments["joho"], is_staff=True, last_name="風")
    sign_in_with_password(other)
    expect(page.get_by_role("heading", level=1)).to_have_text("二段階認証の登録")
    page.goto(f"{live_server.url}/admin/accounts/user/")
    expect(page.get_by_role("heading", level=1)).to_have_text("二段階認証の登録")
    expect(page.get_by_text("マスタデータ・アカウントの管理")).to_have_count(0)
    shot(page, "07-admin-refused")
