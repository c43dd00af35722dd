"""The master data's pages are public: these fetch what a URL names, or 404."""

from django.http import Http404

from .models import Policy, PolicyEdition


def edition_or_404(code) -> PolicyEdition:
    edition = PolicyEdition.objects.filter(code=code).first()
    if edition is None:
        raise Http404("方針の版が見つかりません。")
    return edition


def policy_or_404(code, number) -> Policy:
    policy = Policy.objects.select_related("edition").filter(edition__code=code, number=number)
    policy = policy.first()
    if policy is None:
        raise Http404("基本方針が見つかりません。")
    return policy
