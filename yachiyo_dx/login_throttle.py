"""Login throttling beyond django-axes' pair rule (LOGIN_FAILURE_LIMIT per user name and address):
many user names tried from one address, or one user name tried from many addresses, are locked
out too (LOGIN_ADDRESS_FAILURE_LIMIT, LOGIN_USERNAME_FAILURE_LIMIT within LOGIN_LOCKOUT_MINUTES).

The counts come from axes' own attempt rows in the database, so every app server agrees.
The address limit is set well above the pair limit: a city hall's staff share one address.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _failures(**where):
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(attempt_time__gte=since, **where)
    return rows.aggregate(n=Sum("failures_since_start"))["n"] or 0


class ThrottlingHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if self._over_wider_limits(request, credentials):
            # axes flags only its own rule's lockouts; this one gets the same lockout page.
            request.axes_locked_out = True
            return True
        return False

    @staticmethod
    def _over_wider_limits(request, credentials):
        address = getattr(request, "axes_ip_address", None)
        if address and _failures(ip_address=address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return True
        username = get_client_username(request, credentials)
        return bool(username) and (
            _failures(username=username) >= settings.LOGIN_USERNAME_FAILURE_LIMIT
        )
