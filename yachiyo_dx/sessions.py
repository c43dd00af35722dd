"""Sessions end after idle time (SESSION_COOKIE_AGE, renewed by activity) and, however
active the user, after SESSION_ABSOLUTE_SECONDS from login; what a signed-in person is shown is
never kept in a cache (the browser's, a shared computer's, a proxy's)."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import patch_cache_control

from accounts.sessions import AUTHENTICATED_AT, RENEWED_AT


class AbsoluteSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(AUTHENTICATED_AT)
            if started is None:  # a session from before the clocks started at sign-in
                request.session[AUTHENTICATED_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return self.get_response(request)
            # The idle timeout restarts with activity, but writing the session (a committed
            # transaction) on every request would cost every page: once a minute is enough for
            # a timeout counted in tens of minutes. Changing the session saves it, and the
            # middleware then sends the cookie with its age renewed.
            if now - request.session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
                request.session[RENEWED_AT] = now
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Cache-Control: private, no-store on every answer to a signed-in person (pages, files,
    exports): the back button on a shared counter PC must not show the last user's work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
