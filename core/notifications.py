"""E-mail notifications. Sent only after the transaction commits, and a failing mail server
never loses or rolls back what was saved: the failure is logged."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """A path of the portal as users reach it (PORTAL_URL), for links in mails."""
    return f"{settings.PORTAL_URL.rstrip('/')}{path}"


def notify(recipients, subject, body):
    """Queue a mail to the users' addresses for when the current transaction commits."""
    addresses = sorted({u.email for u in recipients if u.email and u.is_active})
    if not addresses:
        return

    def send():
        try:
            send_mail(f"[DX推進ポータル] {subject}", body, None, addresses)
        except Exception:
            logger.exception("notification not sent: %s", subject.replace("\n", " "))

    transaction.on_commit(send)
