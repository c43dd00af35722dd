"""Sessions end after idle time (SESSION_COOKIE_AGE, renewed on every request) and, however
active the user, after SESSION_ABSOLUTE_SECONDS from login; what a signed-in person is shown is
never kept in a cache (the browser's, a shared computer's, a proxy's)."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import patch_cache_control


class AbsoluteSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get("authenticated_at")
            if started is None:
                request.session["authenticated_at"] = int(time.time())
            elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
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
