"""Two-factor sign-in: a password, then a code from an authenticator app (TOTP, RFC 6238) or a
single-use recovery code. django-otp keeps the devices and checks the codes (with its own
throttling); this module says who must use it and holds every change of a person's devices.

Who: 管理者 (who reach the admin site) and the secretariat must enrol and use a second factor
(settings.TWO_FACTOR_REQUIRED, on by default); anyone else may enrol, and once enrolled is
always asked. Between the password and the code the session is signed in but *pending*: the
middleware lets it reach only the second step and the sign-out, so no page, download or form
of the portal or the admin answers a password alone.
"""

import io
import time
import unicodedata
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from core import audit

RECOVERY_CODES = 10
APP_DEVICE_NAME = "認証アプリ"
RECOVERY_DEVICE_NAME = "回復コード"
# Set at sign-in while the second step is owed: "verify" (enrolled) or "enrol" (must enrol).
PENDING_KEY = "two_factor_pending"
# The key of an app being set up, until its first code confirms it.
SETUP_KEY = "two_factor_setup_key"
# When this session last gave a code, and how recent it must be to change the factor itself.
VERIFIED_AT_KEY = "two_factor_verified_at"
RECENT_SECONDS = 10 * 60
# The recovery codes just made, shown once on the next page and then forgotten.
NEW_CODES_KEY = "two_factor_new_codes"
# What a pending session may reach (URL names).
OPEN_WHILE_PENDING = frozenset(
    {"two_factor:verify", "two_factor:setup", "two_factor:codes", "logout", "healthz", "readyz"}
)

audit.register(
    {
        "account.two_factor_enrolled": "二段階認証の登録",
        "account.two_factor_disabled": "二段階認証の解除",
        "account.two_factor_reset": "二段階認証のリセット（管理者による）",
        "account.recovery_codes_renewed": "回復コードの再発行",
        "account.recovery_code_used": "回復コードでのログイン",
        "account.second_factor_failed": "確認コードの誤り",
    }
)


def issuer(device) -> str:
    """The name an authenticator app lists the code under: the portal's."""
    from policies.names import city

    return city().portal


def required_for(user) -> bool:
    """管理者 (anyone who may enter the admin site) and the secretariat must use a second factor."""
    return bool(
        settings.TWO_FACTOR_REQUIRED
        and user.is_active
        and (user.is_staff or user.is_superuser or user.in_secretariat)
    )


def app_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_verify(request) -> bool:
    """Signed in with the password, but the second step is still owed."""
    user = request.user
    if not user.is_authenticated:
        return False
    pending = request.session.get(PENDING_KEY)
    if pending == "enrol" and not required_for(user):
        # No longer obliged (left the secretariat, or the rule was switched off).
        request.session.pop(PENDING_KEY)
        pending = None
    owed = pending or required_for(user)
    return bool(owed) and not user.is_verified()


def note_sign_in(sender, request, user, **kwargs):
    """user_logged_in: a password sign-in of an enrolled or obliged account owes a second step.
    (django-otp's own receiver has already marked a session verified when a form did both.)"""
    if request is None or getattr(user, "otp_device", None) is not None:
        return
    if is_enrolled(user):
        request.session[PENDING_KEY] = "verify"
    elif required_for(user):
        request.session[PENDING_KEY] = "enrol"


class SecondFactorMiddleware:
    """Sends a pending session to the second step from every page but those it needs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if must_verify(request) and _url_name(request.path_info) not in OPEN_WHILE_PENDING:
            step = "two_factor:setup" if _owes_enrolment(request) else "two_factor:verify"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _owes_enrolment(request) -> bool:
    pending = request.session.get(PENDING_KEY)
    if pending:
        return pending == "enrol"
    # Became obliged after signing in (e.g. joined the secretariat): one query, once.
    request.session[PENDING_KEY] = "verify" if is_enrolled(request.user) else "enrol"
    return request.session[PENDING_KEY] == "enrol"


def _url_name(path) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""


def normalise_code(text: str) -> str:
    """What a person types, as a code: full-width digits, spaces and hyphens forgiven."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(c for c in text if c.isalnum()).lower()


def qr_svg(device) -> str:
    """The enrolment link as an SVG QR code (no imaging library, no inline styles for the CSP)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # The XML declaration is not allowed inside HTML.
    return svg[svg.index("<svg") :]


def readable_key(device) -> str:
    """The secret for typing into an app by hand: base32 in groups of four."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# Changes of a person's devices: each one transaction with its audit row.


def start_enrolment(request) -> TOTPDevice:
    """The app device being set up, not yet saved: its key waits in the session, so that a
    reload neither writes nor invalidates what the phone has already scanned."""
    key = request.session.get(SETUP_KEY)
    if not key:
        key = request.session[SETUP_KEY] = default_key()
    return TOTPDevice(user=request.user, name=APP_DEVICE_NAME, key=key, confirmed=True)


def _first_code_matches(device, token) -> bool:
    # The person sees the key being confirmed, so there is nothing to throttle here; the
    # drift and the step the code was taken in are kept as django-otp would.
    if not (token.isascii() and token.isdigit()):
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(token), device.tolerance):
        return False
    device.last_t = totp.t()
    return True


def finish_enrolment(request, device, token) -> list[str] | None:
    """Confirm the app with its first code; fresh recovery codes; the session verified."""
    if not _first_code_matches(device, token):
        return None
    user = device.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device.save()
        codes = _renew_codes(user)
        audit.record(actor=user, action="account.two_factor_enrolled", obj=user)
        request.session.pop(SETUP_KEY, None)
        _verified(request, device)
    return codes


def _renew_codes(user) -> list[str]:
    # The device is kept, its codes replaced: a session verified by a recovery code stays so.
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if static is None:
        static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticToken.objects.filter(device__user=user).delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


@transaction.atomic
def renew_codes(user) -> list[str]:
    codes = _renew_codes(user)
    audit.record(actor=user, action="account.recovery_codes_renewed", obj=user)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


class Refused(Exception):
    """A code not accepted; the message is for the person."""


def verify(request, text) -> str:
    """Check the second step's code; on success the session is verified. Returns "app" or
    "recovery"; raises Refused with the reason otherwise."""
    user = request.user
    code = normalise_code(text)
    if len(code) == 6 and code.isascii() and code.isdigit():
        devices, kind = TOTPDevice.objects.filter(user=user, confirmed=True), "app"
    else:
        devices, kind = StaticDevice.objects.filter(user=user, confirmed=True), "recovery"
    with transaction.atomic():
        for device in devices.select_for_update():
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                raise Refused(
                    "間違ったコードが続いたため、しばらく受け付けません。"
                    "30秒ほど待ってから、新しいコードを入力してください。"
                )
            if device.verify_token(code):
                if kind == "recovery":
                    audit.record(
                        actor=user,
                        action="account.recovery_code_used",
                        obj=user,
                        after={"残りの回復コード": recovery_codes_left(user)},
                    )
                _verified(request, device)
                return kind
    # Outside the check's transaction, so that the failure's row stays with the throttle's.
    with transaction.atomic():
        audit.record(actor=user, action="account.second_factor_failed", obj=user)
    raise Refused(
        "コードが正しくありません。認証アプリに表示されている最新の6桁の数字か、"
        "回復コードを入力してください。"
    )


def _verified(request, device):
    # A new session key once the second factor is given: one fixed earlier is worth nothing.
    request.session.cycle_key()
    otp_login(request, device)
    request.session.pop(PENDING_KEY, None)
    request.session[VERIFIED_AT_KEY] = int(time.time())


def recently_verified(request) -> bool:
    """A code was given in this session within the last minutes: enough to change the second
    factor itself (a session left open on a shared desk is not)."""
    return time.time() - request.session.get(VERIFIED_AT_KEY, 0) < RECENT_SECONDS


@transaction.atomic
def disable(request) -> None:
    """Stop using the second factor (only someone not obliged to use it)."""
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    audit.record(actor=user, action="account.two_factor_disabled", obj=user)


@transaction.atomic
def reset(user, *, actor, comment="") -> int:
    """A lost phone: 管理者 removes a person's devices and ends their sessions; the next sign-in
    enrols again (if obliged) or needs the password only."""
    from .sessions import end_sessions

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ended = end_sessions(user)
    audit.record(
        actor=actor,
        action="account.two_factor_reset",
        obj=user,
        after={"sessions": ended},
        comment=comment,
    )
    return ended
