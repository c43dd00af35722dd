"""Two-factor sign-in (accounts.two_factor), required as in production for 管理者 and the
secretariat: the password alone opens nothing else, enrolment, codes from the app, recovery
codes, throttling, the admin site, and the 管理者's reset."""

import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from core.models import AuditEvent

from .conftest import PASSWORD
from .test_permission_matrix import EXPECTED, world  # noqa: F401 (the matrix's objects)

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]


def sign_in(client, user, next_url=""):
    """The password step through the real login form."""
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def code_for(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="codes", confirmed=True)
    codes = ["abcd2345", "efgh6723"]
    for c in codes:
        StaticToken.objects.create(device=static, token=c)
    return device, codes


def query(response) -> dict:
    return parse_qs(urlparse(response["Location"]).query)


def test_the_password_alone_opens_nothing_but_the_second_step(client, world):  # noqa: F811
    people, kwargs = world
    reviewer = people["reviewer"]
    assert sign_in(client, reviewer).status_code == 302
    open_ = {"healthz", "readyz", "two_factor:setup", "login"}
    failures = []
    for name, (key, _) in sorted(EXPECTED.items()):
        url = reverse(name, kwargs=kwargs[key])
        response = client.get(url)
        if name in open_:
            continue
        if name == "logout":
            ok = response.status_code == 405
        elif name in ("two_factor:verify", "two_factor:codes"):
            ok = response.status_code == 302
        else:
            ok = (
                response.status_code == 302
                and response["Location"].startswith(reverse("two_factor:setup"))
                and query(response)["next"] == [url]
            )
        if not ok:
            failures.append(f"GET {url}: {response.status_code} {response.get('Location')}")
    assert not failures, "\n".join(failures)
    # A form posted with the password alone changes nothing either.
    before = AuditEvent.objects.count()
    response = client.post(reverse("reviews:consolidate"), {"title": "x"})
    assert response["Location"].startswith(reverse("two_factor:setup"))
    assert AuditEvent.objects.count() == before


def test_enrolment_confirms_the_app_shows_recovery_codes_once_and_opens_the_portal(reviewer):
    client = Client()
    response = sign_in(client, reviewer, "/reviews/")
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("two_factor:setup"))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "二段階認証の登録" in html and "<svg" in html and "<?xml" not in html
    key = re.search(r'<code class="secret-key"[^>]*>([A-Z2-7 ]+)</code>', html).group(1)
    assert len(key.replace(" ", "")) == 32
    # A wrong code: a message, nothing saved, the same key on the next try.
    wrong = client.post(page.request["PATH_INFO"], {"code": "000000"})
    assert "コードが正しくありません" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert key in client.get(reverse("two_factor:setup")).content.decode()

    session_before = client.session.session_key
    device = TOTPDevice(key=client.session[two_factor.SETUP_KEY])
    done = client.post(reverse("two_factor:setup"), {"code": code_for(device), "next": "/reviews/"})
    assert done["Location"].startswith(reverse("two_factor:codes"))
    assert client.session.session_key != session_before  # a new key once verified
    codes_page = client.get(done["Location"]).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", codes_page)
    assert len(shown) == two_factor.RECOVERY_CODES
    assert 'href="/reviews/"' in codes_page
    # Once only: reloading shows them no more.
    assert client.get(reverse("two_factor:codes"))["Location"] == reverse("two_factor:overview")
    assert client.get("/reviews/").status_code == 200
    assert TOTPDevice.objects.get(user=reviewer).confirmed
    assert AuditEvent.objects.filter(action="account.two_factor_enrolled", object_id=reviewer.pk)


def test_an_enrolled_user_signs_in_with_a_code_and_a_code_works_once(reviewer):
    device, _ = enrol(reviewer)
    client = Client()
    sign_in(client, reviewer)
    response = client.get("/reviews/")
    assert response["Location"] == f"{reverse('two_factor:verify')}?next=%2Freviews%2F"
    page = client.get(response["Location"]).content.decode()
    assert "確認コードの入力" in page and "受付箱" not in page  # no menu before the code
    code = code_for(device)
    done = client.post(reverse("two_factor:verify"), {"code": code, "next": "/reviews/"})
    assert done["Location"] == "/reviews/"
    assert client.get("/reviews/").status_code == 200
    # The same code in another session: already used.
    other = Client()
    sign_in(other, reviewer)
    again = other.post(reverse("two_factor:verify"), {"code": code})
    assert again.status_code == 200 and "コードが正しくありません" in again.content.decode()


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(reviewer):
    _, codes = enrol(reviewer)
    client = Client()
    sign_in(client, reviewer)
    # As people type it: capitals, a hyphen, full-width.
    typed = "ＡＢＣＤ-2345"
    done = client.post(reverse("two_factor:verify"), {"code": typed}, follow=True)
    assert "回復コードでログインしました（残り1個）" in done.content.decode()
    assert AuditEvent.objects.filter(action="account.recovery_code_used").count() == 1
    other = Client()
    sign_in(other, reviewer)
    again = other.post(reverse("two_factor:verify"), {"code": codes[0]})
    assert "コードが正しくありません" in again.content.decode()
    assert AuditEvent.objects.filter(action="account.second_factor_failed").count() == 1


def test_wrong_codes_are_throttled_and_audited(reviewer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device, _ = enrol(reviewer)
    client = Client()
    sign_in(client, reviewer)
    client.post(reverse("two_factor:verify"), {"code": "123456"})
    refused = client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    assert "しばらく受け付けません" in refused.content.decode()
    assert client.get("/reviews/").status_code == 302


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_the_second_step_never_sends_anyone_off_site(reviewer, next_url):
    device, _ = enrol(reviewer)
    client = Client()
    sign_in(client, reviewer)
    # Nor does the form carry it on.
    form = client.get(reverse("two_factor:verify"), {"next": next_url}).content.decode()
    assert 'name="next" value=""' in form and "evil" not in form and "javascript" not in form
    done = client.post(reverse("two_factor:verify"), {"code": code_for(device), "next": next_url})
    assert done["Location"] == reverse("home")


def test_it_is_optional_for_others_and_once_enrolled_always_asked(proposer):
    client = Client()
    sign_in(client, proposer)
    assert client.get(reverse("initiatives:mine")).status_code == 200
    device, _ = enrol(proposer)
    client = Client()
    sign_in(client, proposer)
    assert client.get(reverse("initiatives:mine")).status_code == 302
    client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    # Stopping needs a current code; afterwards the password alone signs in.
    refused = client.post(reverse("two_factor:disable"), {"code": "999999"})
    assert refused.status_code == 400 and TOTPDevice.objects.filter(user=proposer).exists()
    client.post(reverse("two_factor:disable"), {"code": "efgh6723"})
    assert not TOTPDevice.objects.filter(user=proposer).exists()
    assert AuditEvent.objects.filter(action="account.two_factor_disabled").count() == 1
    client = Client()
    sign_in(client, proposer)
    assert client.get(reverse("initiatives:mine")).status_code == 200


def test_those_who_must_use_it_cannot_stop(reviewer):
    device, codes = enrol(reviewer)
    client = Client()
    sign_in(client, reviewer)
    client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    response = client.post(reverse("two_factor:disable"), {"code": codes[0]}, follow=True)
    assert "やめることはできません" in response.content.decode()
    assert TOTPDevice.objects.filter(user=reviewer).exists()


def test_renewing_recovery_codes_needs_the_second_factor_and_voids_the_old_ones(proposer):
    _, codes = enrol(proposer)
    client = Client()
    sign_in(client, proposer)
    client.post(reverse("two_factor:codes"))  # the password alone makes no new codes
    assert StaticToken.objects.filter(token__in=codes).count() == 2
    # Signed in with a recovery code (the phone lost): new codes, still signed in.
    client.post(reverse("two_factor:verify"), {"code": codes[1]})
    page = client.post(reverse("two_factor:codes"), follow=True).content.decode()
    assert "回復コードを作り直しました" in page
    assert len(re.findall(r"<li><code>", page)) == two_factor.RECOVERY_CODES
    assert client.get(reverse("initiatives:mine")).status_code == 200
    assert not StaticToken.objects.filter(token__in=codes).exists()
    assert StaticToken.objects.filter(device__user=proposer).count() == two_factor.RECOVERY_CODES


def test_the_admin_site_refuses_a_staff_account_without_the_second_factor(admin_user, settings):
    client = Client()
    sign_in(client, admin_user)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("two_factor:setup"))
    # Even where the middleware was left out, the admin itself refuses.
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "accounts.two_factor.SecondFactorMiddleware"
    ]
    bare = Client()  # a client builds its middleware once
    bare.cookies = client.cookies
    response = bare.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    # Its own login page is the portal's.
    anonymous = Client().get(reverse("admin:login"))
    assert anonymous["Location"].startswith(reverse("login"))


def test_the_admin_opens_with_the_second_factor_and_resets_a_lost_phone(admin_user, reviewer):
    device, _ = enrol(admin_user)
    enrol(reviewer)
    victim = Client()
    sign_in(victim, reviewer)
    client = Client()
    sign_in(client, admin_user)
    client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    assert client.get(reverse("admin:index")).status_code == 200
    # The device screens that would show a key are not offered.
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [reviewer.pk]},
        follow=True,
    )
    assert "二段階認証をリセット" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert victim.get("/reviews/")["Location"].startswith(reverse("login"))  # signed out
    event = AuditEvent.objects.get(action="account.two_factor_reset")
    assert event.actor == admin_user and event.object_id == reviewer.pk


def test_the_reset_command_for_a_lone_administrator(admin_user):
    enrol(admin_user)
    call_command("reset_two_factor", admin_user.username, "--reason", "端末紛失")
    assert not TOTPDevice.objects.filter(user=admin_user).exists()
    assert AuditEvent.objects.get(action="account.two_factor_reset").comment == "端末紛失"


def test_the_app_lists_the_code_under_the_citys_portal(reviewer):
    from policies.names import city

    device, _ = enrol(reviewer)
    assert f"issuer={city().portal}" in unquote(device.config_url)


def test_second_step_forms_refuse_without_csrf_and_never_answer_500(reviewer):
    from .test_permission_matrix import HOSTILE

    device, _ = enrol(reviewer)
    strict = Client(enforce_csrf_checks=True)
    sign_in_strict = strict.get(reverse("login"))
    assert sign_in_strict.status_code == 200
    client = Client()
    sign_in(client, reviewer)
    for name in ("two_factor:verify", "two_factor:setup"):
        strict.cookies = client.cookies
        assert strict.post(reverse(name), {"code": code_for(device)}).status_code == 403
    assert not client.session.get("otp_device_id")
    for value in HOSTILE:
        assert client.post(reverse("two_factor:verify"), {"code": value}).status_code < 500


def test_a_superusers_second_factor_is_reset_only_by_a_superuser(admin_user, reviewer):
    reviewer.is_superuser = True
    reviewer.save()
    enrol(reviewer)
    device, _ = enrol(admin_user)
    client = Client()
    sign_in(client, admin_user)
    client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [reviewer.pk]},
        follow=True,
    )
    assert "スーパーユーザーだけが操作できます" in response.content.decode()
    assert TOTPDevice.objects.filter(user=reviewer).exists()


def test_digits_of_other_scripts_are_a_wrong_code_not_a_500(reviewer):
    client = Client()
    sign_in(client, reviewer)
    response = client.post(reverse("two_factor:setup"), {"code": "፩፪፫፬፭፮"})
    assert response.status_code == 200 and "コードが正しくありません" in response.content.decode()


def test_changing_the_factor_needs_a_code_given_just_now(proposer):
    device, codes = enrol(proposer)
    client = Client()
    sign_in(client, proposer)
    client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    session = client.session
    session[two_factor.VERIFIED_AT_KEY] -= two_factor.RECENT_SECONDS + 1
    session.save()
    response = client.post(reverse("two_factor:codes"))
    assert response["Location"].startswith(reverse("two_factor:verify") + "?again=1")
    assert StaticToken.objects.filter(token__in=codes).count() == 2
    assert client.get(reverse("two_factor:setup"))["Location"].startswith(
        reverse("two_factor:verify") + "?again=1"
    )
    page = client.get(reverse("two_factor:verify") + "?again=1").content.decode()
    assert "本人であることを確かめます" in page
    client.post(reverse("two_factor:verify"), {"code": codes[0], "again": "1"})
    assert client.get(reverse("two_factor:setup")).status_code == 200


def test_someone_no_longer_obliged_is_not_held_at_enrolment(reviewer):
    client = Client()
    sign_in(client, reviewer)
    assert client.get("/initiatives/")["Location"].startswith(reverse("two_factor:setup"))
    reviewer.in_secretariat = False
    reviewer.save()
    assert client.get("/initiatives/").status_code == 200
