"""Sessions end after idle time (SESSION_COOKIE_AGE, renewed on every request) and, however
active the user, after SESSION_ABSOLUTE_SECONDS from login."""

import time

from django.conf import settings
from django.contrib.auth import logout


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
