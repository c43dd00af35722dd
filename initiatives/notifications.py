"""E-mail notifications. Sent only after the transaction commits, and a failing mail server
never loses or rolls back what was saved: the failure is logged."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from accounts import roles

logger = logging.getLogger(__name__)


def info_policy_staff():
    return get_user_model().objects.filter(groups__name=roles.INFO_POLICY, is_active=True)


def owners(initiative):
    """The proposer and the DX推進員 of the proposing department, and, for a consolidated
    initiative, the proposers of the originals too."""
    User = get_user_model()
    originals = list(initiative.consolidated_from.select_related("proposer"))
    departments = {initiative.department_id, *(o.department_id for o in originals)}
    promoters = User.objects.filter(
        groups__name=roles.DX_PROMOTER, department_id__in=departments, is_active=True
    )
    return [initiative.proposer, *(o.proposer for o in originals), *promoters]


def link(initiative):
    return f"{settings.PORTAL_URL.rstrip('/')}{initiative.get_absolute_url()}"


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
