from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from policies.models import Department

from . import roles


class User(AbstractUser):
    """A portal account. Every account belongs to a 所属."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="members", verbose_name="所属"
    )

    REQUIRED_FIELDS = ["email", "department"]

    class Meta(AbstractUser.Meta):
        verbose_name = verbose_name_plural = "ユーザー"

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        name = f"{self.last_name} {self.first_name}".strip()
        return name or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The user's roles (group names); one query per request, then cached."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *names: str) -> bool:
        return self.is_active and bool(self.role_names.intersection(names))

    @property
    def is_secretariat(self) -> bool:
        """Works for the secretariat (事務局) of the DX policy: reviews, consolidates, keeps the
        meetings' records, places decided items in the plan and runs the follow-up."""
        return self.has_role(roles.INFO_POLICY)

    @property
    def can_view_dashboard(self) -> bool:
        return self.has_role(roles.INFO_POLICY, roles.HEADQUARTERS)
