"""Telling people what waits for them: a notification in the portal and a mail, for each
recipient. The notification is written in the current transaction (it stands or falls with the
change it announces); the mail is sent only after the transaction commits, and a failing mail
server never loses or rolls back what was saved: the failure is logged."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """A path of the portal as users reach it (PORTAL_URL), for links in mails."""
    return f"{settings.PORTAL_URL.rstrip('/')}{path}"


def notify(recipients, subject, body, *, url=""):
    """Tell each active recipient once: a notification now, a mail after commit. `url` is the
    path of the page where they act; the mail carries it as a link."""
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not people:
        return
    Notification.objects.bulk_create(
        Notification(recipient=user, subject=subject[:200], body=body, url=url)
        for user in people.values()
    )
    addresses = sorted({u.email for u in people.values() if u.email})
    if not addresses:
        return
    text = f"{body.rstrip()}\n\n{absolute_url(url)}\n" if url else body

    def send():
        try:
            send_mail(f"[DX推進ポータル] {subject}", text, None, addresses)
        except Exception:
            logger.exception("notification not sent: %s", subject.replace("\n", " "))

    transaction.on_commit(send)
