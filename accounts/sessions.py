"""Ending a person's sessions: when the account is deactivated (so that reactivating it does
not bring an old cookie back to life) and when 管理者 asks to; and starting the clocks that end
them (yachiyo_dx.sessions)."""

import time

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone


def end_sessions(user) -> int:
    """Delete every live session signed in as `user`; how many there were.

    Sessions are rows in the database (the default engine); each is decoded to find its user,
    which is cheap at a city's few hundred live sessions.
    """
    ids = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ids).delete()
    return len(ids)


def end_sessions_on_deactivation(sender, instance, **kwargs):
    """pre_save of the user: an active account being deactivated loses its sessions."""
    if instance.pk is None or instance.is_active:
        return
    was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()
    if was_active:
        end_sessions(instance)


# When the session signed in, and when activity last renewed its idle timeout (epoch seconds).
AUTHENTICATED_AT = "authenticated_at"
RENEWED_AT = "renewed_at"


def start_clocks(sender, request, user, **kwargs):
    """user_logged_in: both timeouts count from the sign-in, which saves the session anyway,
    so the first page after it has nothing to write."""
    if request is not None:
        now = int(time.time())
        request.session[AUTHENTICATED_AT] = now
        request.session[RENEWED_AT] = now
