"""The second step of signing in and a person's own two-factor settings (accounts.two_factor)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="確認コード",
        max_length=40,
        error_messages={"required": "確認コードを入力してください。"},
    )


def _wanted(request) -> str:
    """Where the person was going (`next`), if it is a page of this site; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _next_url(request) -> str:
    return _wanted(request) or reverse("home")


@require_http_methods(["GET", "POST"])
@login_required
def verify(request):
    """The second step: a code from the app, or a recovery code."""
    if not two_factor.is_enrolled(request.user):
        return _go("two_factor:setup", request)
    again = request.GET.get("again") or request.POST.get("again")
    if request.user.is_verified() and not again:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind = two_factor.verify(request, form.cleaned_data["code"])
        except two_factor.Refused as exc:
            form.add_error("code", str(exc))
        else:
            if kind == "recovery":
                left = two_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    f"回復コードでログインしました（残り{left}個）。使ったコードはもう使えません。"
                    "認証アプリが使えないときは、二段階認証の設定で回復コードを作り直してください。",
                )
            return redirect(_next_url(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "again": bool(again), **_next(request)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def setup(request):
    """Enrol an authenticator app: scan (or type) the key, confirm with the first code."""
    # Changing an enrolled app needs a code given just now: not a password alone, nor a
    # session left open since the morning.
    if two_factor.is_enrolled(request.user) and not two_factor.recently_verified(request):
        return _confirm_first(request, reverse("two_factor:setup"))
    device = two_factor.start_enrolment(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.finish_enrolment(
            request, device, two_factor.normalise_code(form.cleaned_data["code"])
        )
        if codes is None:
            form.add_error(
                "code",
                "コードが正しくありません。認証アプリに表示されている最新の6桁の数字を入力してください。"
                "時刻がずれていると合わないことがあります。",
            )
        else:
            request.session[two_factor.NEW_CODES_KEY] = codes
            messages.success(request, "二段階認証を登録しました。")
            return _go("two_factor:codes", request)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "key": two_factor.readable_key(device),
            "required": two_factor.required_for(request.user),
            "pending": two_factor.must_verify(request),
            **_next(request),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def codes(request):
    """Recovery codes: shown once right after they are made; a POST makes a new set."""
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect("two_factor:overview")
        if not two_factor.recently_verified(request):
            return _confirm_first(request, reverse("two_factor:overview"))
        request.session[two_factor.NEW_CODES_KEY] = two_factor.renew_codes(request.user)
        messages.success(request, "回復コードを作り直しました。前の回復コードはもう使えません。")
        return redirect("two_factor:codes")
    new_codes = request.session.pop(two_factor.NEW_CODES_KEY, None)
    if new_codes is None:
        return redirect("two_factor:overview")
    return render(
        request,
        "registration/two_factor_codes.html",
        {"codes": [f"{c[:4]}-{c[4:]}" for c in new_codes], **_next(request)},
    )


@require_safe
@login_required
def overview(request):
    user = request.user
    enrolled = two_factor.is_enrolled(user)
    return render(
        request,
        "registration/two_factor.html",
        {
            "enrolled": enrolled,
            "device": two_factor.app_device(user) if enrolled else None,
            "codes_left": two_factor.recovery_codes_left(user) if enrolled else 0,
            "required": two_factor.required_for(user),
            "form": CodeForm(),
        },
    )


@require_POST
@login_required
def disable(request):
    """Stop using the second factor: someone not obliged to, with a current code."""
    user = request.user
    if two_factor.required_for(user):
        messages.error(request, "この役割のアカウントは二段階認証をやめることはできません。")
        return redirect("two_factor:overview")
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.verify(request, form.cleaned_data["code"])
        except two_factor.Refused as exc:
            form.add_error("code", str(exc))
        else:
            two_factor.disable(request)
            messages.success(
                request, "二段階認証をやめました。次からはパスワードだけでログインします。"
            )
            return redirect("two_factor:overview")
    return render(
        request,
        "registration/two_factor.html",
        {
            "enrolled": True,
            "device": two_factor.app_device(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "required": False,
            "form": form,
        },
        status=400,
    )


def _confirm_first(request, then):
    """Ask for a code again before the second factor itself is changed."""
    messages.info(request, "二段階認証の設定を変えるため、もう一度確認コードを入力してください。")
    return redirect(f"{reverse('two_factor:verify')}?{urlencode({'again': 1, 'next': then})}")


def _go(name, request):
    """Redirect to another step, carrying where the person was going."""
    return redirect(f"{reverse(name)}?{urlencode({'next': _next_url(request)})}")


def _next(request):
    """The `next` a form carries on: only a page of this site."""
    return {"next": _wanted(request)}
