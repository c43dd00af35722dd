from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import editions as next_edition
from .access import edition_or_404, policy_or_404, visible_editions
from .models import ChecklistItem, GlossaryTerm
from .shared import edition_in_force, policies_with_examples


@require_safe
def edition_list(request):
    editions = visible_editions(request.user)
    return render(
        request,
        "policies/edition_list.html",
        {
            "editions": editions.adopted(),
            "drafts": editions.drafts().order_by("-pk"),
            "in_force": edition_in_force(),
        },
    )


@require_safe
def edition_detail(request, code):
    edition = edition_or_404(code, request.user)
    checklist = edition.current_checklist()
    items = ChecklistItem.objects.filter(checklist=checklist) if checklist else []
    return render(
        request,
        "policies/edition_detail.html",
        {
            "edition": edition,
            "in_force": edition_in_force(),
            "policies": policies_with_examples(edition),
            "checklist": checklist,
            "checklist_items": items,
            # A draft's preview shows what becomes of the examples of the edition it revises.
            "carried_over": next_edition.carried_over(edition) if edition.is_draft else None,
        },
    )


@require_safe
def policy_detail(request, code, number):
    policy = policy_or_404(code, number, request.user)
    return render(
        request,
        "policies/policy_detail.html",
        {
            "policy": policy,
            "edition": policy.edition,
            "in_force": edition_in_force(),
            "examples": policy.examples.order_by("number"),
            "siblings": policy.edition.policies.order_by("number"),
        },
    )


@require_safe
def glossary(request):
    return render(request, "policies/glossary.html", {"terms": GlossaryTerm.objects.all()})
