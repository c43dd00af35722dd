"""The master data's pages are public: these fetch what a URL names, or 404. A draft edition
(not yet adopted) is 管理者's alone until it is adopted."""

from django.http import Http404

from .editions import may_edit
from .models import Policy, PolicyEdition


def visible_editions(user):
    editions = PolicyEdition.objects.all()
    return editions if may_edit(user) else editions.adopted()


def edition_or_404(code, user) -> PolicyEdition:
    edition = visible_editions(user).filter(code=code).first()
    if edition is None:
        raise Http404("方針の版が見つかりません。")
    return edition


def policy_or_404(code, number, user) -> Policy:
    policy = Policy.objects.select_related("edition").filter(
        edition__in=visible_editions(user), edition__code=code, number=number
    )
    policy = policy.first()
    if policy is None:
        raise Http404("基本方針が見つかりません。")
    return policy
