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
        """Everything a list row shows, without per-row queries."""
        return self.select_related(
            "channel", "department", "department__parent", "proposer", "policy"
        )
