"""The home page: what waits for the signed-in user, counts and the next meetings."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from initiatives.access import channels_for
from initiatives.models import Initiative
from initiatives.workflow import INBOX_STATES
from policies.models import Body, Channel, PolicyEdition
from policies.names import city
from policies.views import policies_with_examples
from reviews.models import AgendaItem, Meeting

S = Initiative.Status


def waiting_for(user):
    """What waits for this user, by role: [(label, count, url)] — a handful of counts."""
    names = city()
    owned = Q(proposer=user)
    if user.is_dx_promoter:
        owned |= Q(department_id=user.department_id)
    rows = [
        (
            "書きかけの下書き",
            Q(status=S.DRAFT) & owned,
            reverse("initiatives:mine") + "?status=draft",
        ),
        (
            "差し戻されて修正が必要",
            Q(status=S.RETURNED) & owned,
            reverse("initiatives:department") + "?status=returned",
        ),
    ]
    if user.is_secretariat:
        rows.append(
            ("取りまとめ・審査を待つ", Q(status__in=INBOX_STATES), reverse("reviews:inbox"))
        )
    if user.may_record_opinions and names.opinion_step:
        rows.append(
            (
                f"{names.advisory_short}の意見・提言を待つ",
                Q(status=S.COUNCIL),
                f"{reverse('initiatives:list')}?status={S.COUNCIL}",
            )
        )
    if user.may_record_decisions:
        rows.append(
            (
                f"{names.decision_short}の審議・決定を待つ",
                Q(status=S.HQ_REVIEW),
                f"{reverse('initiatives:list')}?status={S.HQ_REVIEW}",
            )
        )
        rows.append(
            ("継続審議", Q(status=S.DEFERRED), f"{reverse('initiatives:list')}?status={S.DEFERRED}")
        )
    counts = Initiative.objects.visible_to(user).aggregate(
        **{f"n{i}": Count("pk", filter=condition) for i, (_, condition, _) in enumerate(rows)}
    )
    return [(label, counts[f"n{i}"], url) for i, (label, _, url) in enumerate(rows)]


@require_safe
def home(request):
    edition = PolicyEdition.objects.in_force()
    context = {
        "edition": edition,
        "policies": policies_with_examples(edition) if edition else [],
    }
    user = request.user
    if user.is_authenticated and user.is_external:
        context.update(_external_member(user))
    elif user.is_authenticated:
        by_status = dict(
            Initiative.objects.visible_to(user)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        context.update(
            {
                "waiting": waiting_for(user),
                "status_counts": [(s, by_status[s.value]) for s in S if by_status.get(s.value)],
                "meetings": Meeting.objects.upcoming(timezone.localdate()).select_related("body")[
                    :5
                ],
                "can_propose": bool(
                    channels_for(user, Channel.objects.select_related("committee"))
                ),
            }
        )
    return render(request, "home.html", context)


def _external_member(user):
    """An external member's home: the agenda of their bodies waiting for them, and the next
    meetings of those bodies. Nothing of the internal lists."""
    waiting = AgendaItem.objects.filter(
        meeting__in=Meeting.objects.visible_to(user).filter(body__kind=Body.Kind.COUNCIL),
        opinion__isnull=True,
    ).count()
    return {
        "waiting": [("意見・提言が未記録の議題", waiting, reverse("reviews:meetings"))],
        "meetings": Meeting.objects.visible_to(user)
        .upcoming(timezone.localdate())
        .select_related("body")[:5],
        "can_propose": False,
    }
