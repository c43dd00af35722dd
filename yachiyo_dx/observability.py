"""Logging that an operator and a security officer can rely on.

- One JSON line per request (user id, method, path, status, duration).
- Authentication events and refused actions, logged with who and where.
- Log lines cannot be forged: control characters in any message (a newline in a user name,
  say) are escaped, so one event is always one line.
"""

import json
import logging
import time

from django.contrib.auth import signals as auth_signals
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

request_log = logging.getLogger("yachiyo.request")
security_log = logging.getLogger("yachiyo.security")

_ESCAPES = {
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_ESCAPES.update({c: f"\\x{c:02x}" for c in range(32) if c not in _ESCAPES})
_ESCAPES[0x7F] = "\\x7f"


def single_line(text: str) -> str:
    return str(text).translate(_ESCAPES)


class SingleLineFormatter(logging.Formatter):
    """A formatter whose every record is exactly one line, tracebacks included."""

    def format(self, record):
        return single_line(super().format(record))


def client_ip(request):
    """The client's address: behind PROXY_COUNT trusted proxies, the entry they appended to
    X-Forwarded-For (counted from the right, so a client cannot forge it); else the peer."""
    from django.conf import settings

    proxies = settings.PROXY_COUNT
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def login_username(request, credentials):
    """The user name a failed login is recorded under, cut to what a user name can be (a
    10,000-character one must not reach the lockout table's column and answer 500)."""
    from django.contrib.auth import get_user_model

    field = get_user_model().USERNAME_FIELD
    value = (credentials or {}).get(field) or request.POST.get(field, "")
    return str(value)[: get_user_model()._meta.get_field(field).max_length]


def log_event(logger, event, request=None, **fields):
    data = {"event": event, **fields}
    if request is not None:
        user = getattr(request, "user", None)
        data.setdefault("user_id", user.pk if user is not None and user.is_authenticated else None)
        data.setdefault("path", request.path)
        data.setdefault("ip", client_ip(request))
    logger.info(json.dumps(data, ensure_ascii=False, default=str))


class RequestLogMiddleware:
    """One structured line per request; refused actions (403) logged as security events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        log_event(
            request_log,
            "request",
            request,
            method=request.method,
            status=response.status_code,
            duration_ms=round((time.monotonic() - started) * 1000, 1),
        )
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            log_event(
                security_log, "refused", request, method=request.method, reason=str(exception)
            )
        return None


@receiver(auth_signals.user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    # The session's clocks start in accounts.sessions.start_clocks.
    log_event(security_log, "login", request, user_id=user.pk, username=user.get_username())


@receiver(auth_signals.user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    log_event(security_log, "logout", request, user_id=getattr(user, "pk", None))


@receiver(auth_signals.user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    log_event(
        security_log, "login_failed", request, username=str(credentials.get("username", ""))[:150]
    )
