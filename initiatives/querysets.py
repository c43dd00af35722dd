from django.db import models
from django.db.models import Q


class InitiativeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What a user may see: everything once submitted; drafts only for the proposer, the
        department's DX推進員 and the secretariat (mirrors `access.can_view`)."""
        if not user.is_authenticated or not user.is_active or user.is_external:
            return self.none()
        if user.is_secretariat:
            return self
        mine = Q(proposer=user)
        if user.is_dx_promoter:
            mine |= Q(department_id=user.department_id)
        return self.filter(Q(submitted_at__isnull=False) | mine)

    def for_list(self):
        """Everything a list row shows, without per-row queries, and nothing else: the long
        texts of the proposal and the proposer's account (its password hash) stay in the
        database. Reading another field of a row costs a query per row."""
        return self.select_related(
            "channel", "department", "department__parent", "proposer", "policy"
        ).only(*LIST_FIELDS)


# The columns of a list row (initiative_results.html, the inbox, the search results).
LIST_FIELDS = (
    "id",
    "title",
    "status",
    "submitted_at",
    "updated_at",
    "channel__name",
    "department__name",
    "department__parent__name",
    "proposer__username",
    "proposer__first_name",
    "proposer__last_name",
    "policy__number",
    "policy__name",
)
